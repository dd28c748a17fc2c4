using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strata.Cli.Inputs;
using Strata.Data;
using Strata.Distributed;
using Strata.Experiments.Reporting;
using Strata.Optimizers;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata train</c>: trains a preset model (or one from a JSON configuration) on Fashion-MNIST or the user's own
/// data (a CSV table, an image folder, IDX files; see <see cref="DataSource"/>), holding out 1/12 of the training
/// samples for validation (<c>--validation</c>), then reports the test accuracy and loss.
/// </summary>
internal sealed class TrainCommand : Command
{
    /// <summary>
    /// By default 1/12 of the training images are held out for validation, the last rows as Keras's
    /// validation_split takes them: 5 000 of Fashion-MNIST's 60 000, as in the books.
    /// </summary>
    public const int ValidationDivisor = 12;

    private readonly Terminal _terminal;

    /// <summary>The most --epochs: far beyond any run of these models on Fashion-MNIST.</summary>
    private const int MaxEpochs = 100_000;

    /// <summary>The most --validation images: more than any dataset this command reads.</summary>
    private const int MaxValidation = 10_000_000;

    private readonly Option<int> _epochs = new("--epochs")
    {
        Description = $"Passes over the training data, 1 to {MaxEpochs}",
        DefaultValueFactory = _ => 10,
    };

    private readonly Option<int> _batchSize = CommonOptions.BatchSize(32, "Samples per training step");

    private readonly Option<float?> _learningRate = new("--learning-rate")
    {
        Description = "Learning rate of the optimizer [default: the model's with its own optimizer (0.01 for the MLPs' SGD, 0.001 for the Adam of cnn-bn, tabular and JSON configurations), else the optimizer's Keras default]",
    };

    private readonly Option<string?> _optimizer = new("--optimizer")
    {
        Description = "sgd, adam, adamw, rmsprop or nadam, with Keras's other defaults [default: the model's, sgd for the MLPs, adam for cnn-bn, tabular and JSON configurations]",
        HelpName = "NAME",
    };

    private readonly Option<string?> _schedule = new("--schedule")
    {
        Description = "The learning rate over the run: constant, or cosine (Keras's CosineDecay from --learning-rate to 0 at the last step of --epochs) [default: the model's, cosine for resnet, else constant]",
        HelpName = "constant|cosine",
    };

    private readonly ClippingOptions _clipping = new();

    private readonly Option<string?> _logGradients = new("--log-gradients")
    {
        Description = "Write every step's gradient norms (global and per weight, before clipping) to this CSV file",
        HelpName = "FILE",
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the initial weights and of the shuffling; the same seed gives the same run",
        DefaultValueFactory = _ => 42,
    };

    private readonly Option<string> _data = CommonOptions.Data();

    private readonly Option<int?> _threads = CommonOptions.Threads();

    private readonly Option<string> _model = new("--model")
    {
        Description = "A preset, or a JSON model configuration (the model_config of a saved model; input_shape and the last Dense's units may be left to the data). Presets: "
            + string.Join("; ", Presets.All.Select(p => $"{p.Name} = {p.Description}")),
        HelpName = "NAME|FILE.json",
        DefaultValueFactory = _ => Presets.Default,
    };

    private readonly Option<string?> _label = new("--label")
    {
        Description = "The label column of a CSV --data file (class names, or numbers for regression)",
        HelpName = "COLUMN",
    };

    private readonly Option<string?> _test = new("--test")
    {
        Description = "Test data of the same kind as --data (a CSV file, an image folder), when --data has no test set of its own",
        HelpName = "PATH",
    };

    private readonly Option<Layers.Size2D?> _imageSize = CommonOptions.ImageSize();

    private readonly Option<Strata.Data.Files.ColorMode?> _colorMode = CommonOptions.ColorMode();

    private readonly Option<MemoryBudget?> _maxMemory = CommonOptions.MaxMemory();

    private readonly Option<int?> _validation = new("--validation")
    {
        Description = $"Training samples held out (the last ones; a CSV table or an image folder is shuffled by --seed first) for validation, 0 to {MaxValidation}; 0 trains on all of them [default: 1/12, 5000 of Fashion-MNIST's 60000]",
        HelpName = "N",
    };

    private readonly Option<string?> _output = new("--output")
    {
        Description = "Run folder to create; the trained model (model.safetensors), history.csv (per-epoch loss and accuracy), gradients.csv (per-step, per-layer gradient norms), learning-curves.png and gradient-norms.png are written there",
        HelpName = "DIR",
    };

    private readonly Option<bool> _overwrite = new("--overwrite")
    {
        Description = "Replace the run already in the --output folder (without it such a folder is refused, so a finished run is never lost)",
    };

    private readonly Option<string?> _resume = new("--resume")
    {
        Description = "Continue training a model saved by --output (its weights, optimizer and its state, epoch count) up to --epochs in all; the model and optimizer options do not apply. With the first run's --seed, --validation, --batch-size and --threads the result equals an uninterrupted run's",
        HelpName = "FILE",
    };

    private readonly Option<bool> _distributed = new("--distributed")
    {
        Description = "Train data-parallel on the ranks of an MPI job (mpirun -np N strata train --distributed ...; Open MPI): --batch-size is the global batch, shared by the ranks, BatchNormalization is synchronized, and only rank 0 prints and writes. Under mpirun with several ranks training is data-parallel without it",
    };

    public TrainCommand(Terminal terminal)
        : base("train", "Train a model on Fashion-MNIST or your own data (a CSV table, an image folder, IDX files), then report its test accuracy and loss.")
    {
        _terminal = terminal;
        // Custom parsers so that a bad value (abc, 0, -1) gets one clear message naming the option.
        _epochs.CustomParser = OptionParsers.WholeNumber(1, MaxEpochs);
        _seed.CustomParser = OptionParsers.WholeNumber(int.MinValue);
        _validation.CustomParser = result => OptionParsers.WholeNumber(0, MaxValidation)(result);
        _learningRate.CustomParser = result => OptionParsers.PositiveNumber(result);
        _optimizer.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string?>();
            if (name is not null && !OptimizerNames.Contains(name)) result.AddError($"Unknown optimizer '{name}'; choose one of: {string.Join(", ", OptimizerNames)}.");
        });
        _schedule.AcceptOnlyFromAmong("constant", "cosine");
        _model.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string>();
            if (IsConfigFile(name))
            {
                if (!File.Exists(name)) result.AddError($"--model {name}: the configuration file does not exist.");
            }
            else if (Presets.Find(name) is null)
            {
                result.AddError(Presets.UnknownMessage(name) + " Or give a JSON model configuration, --model FILE.json.");
            }
        });
        Options.Add(_epochs);
        Options.Add(_batchSize);
        Options.Add(_learningRate);
        Options.Add(_optimizer);
        Options.Add(_schedule);
        _clipping.AddTo(this);
        Options.Add(_logGradients);
        Options.Add(_seed);
        Options.Add(_model);
        Options.Add(_data);
        Options.Add(_label);
        Options.Add(_test);
        Options.Add(_imageSize);
        Options.Add(_colorMode);
        Options.Add(_threads);
        Options.Add(_maxMemory);
        Options.Add(_validation);
        Options.Add(_output);
        Options.Add(_resume);
        Options.Add(_overwrite);
        Options.Add(_distributed);
        // A resumed model keeps its own architecture and optimizer: options that would change them are an error, not ignored.
        Validators.Add(result =>
        {
            if (result.GetResult(_resume) is null) return;
            foreach (Option option in ((Option[])[_model, _optimizer, _learningRate, _schedule]).Concat(_clipping.All))
                if (result.GetResult(option) is { Implicit: false })
                    result.AddError($"{option.Name} cannot be combined with --resume: the saved model continues with its own architecture, optimizer and clipping.");
        });
        SetAction(Execute);
    }

    private int Execute(ParseResult parsed)
    {
        string modelName = parsed.GetValue(_model)!;
        var preset = IsConfigFile(modelName) ? null : Presets.Find(modelName) ?? Presets.Find(Presets.Default)!;
        // A configuration file trains with Adam at Keras's default rate unless told otherwise.
        string modelOptimizer = preset?.Optimizer ?? "adam";
        float modelRate = preset?.LearningRate ?? new Adam().LearningRate;
        string optimizerName = parsed.GetValue(_optimizer) ?? modelOptimizer;
        // The model's rate belongs to the model's optimizer; another optimizer starts from its own Keras default.
        float learningRate = parsed.GetValue(_learningRate)
            ?? (optimizerName == modelOptimizer ? modelRate : DefaultLearningRate(optimizerName));
        var budget = CommonOptions.Budget(parsed, _maxMemory);
        var settings = new TrainSettings(
            Model: preset?.Name ?? modelName,
            DataDirectory: parsed.GetValue(_data)!,
            TestPath: parsed.GetValue(_test),
            Data: new DataOptions(parsed.GetValue(_label), parsed.GetValue(_imageSize), parsed.GetValue(_colorMode) ?? Strata.Data.Files.ColorMode.Rgb, budget),
            Epochs: parsed.GetValue(_epochs),
            BatchSize: parsed.GetValue(_batchSize),
            LearningRate: learningRate,
            Optimizer: optimizerName,
            CosineDecay: (parsed.GetValue(_schedule) ?? (preset?.CosineDecay == true ? "cosine" : "constant")) == "cosine",
            Clipping: _clipping.Read(parsed),
            LogGradients: parsed.GetValue(_logGradients),
            Seed: parsed.GetValue(_seed),
            Threads: parsed.GetValue(_threads),
            Budget: budget,
            ValidationCount: parsed.GetValue(_validation),
            OutputDirectory: parsed.GetValue(_output),
            Overwrite: parsed.GetValue(_overwrite),
            Resume: parsed.GetValue(_resume),
            Distributed: parsed.GetValue(_distributed));
        return CommandErrors.Guarded(_terminal, () => Train(settings));
    }

    private int Train(TrainSettings s)
    {
        using var communicator = OpenCommunicator(s.Distributed);
        // Every rank trains; rank 0 alone prints and writes (the others' checks of the run folder must agree with it).
        bool root = communicator?.IsRoot ?? true;
        var output = root ? _terminal.Out : TextWriter.Null;
        var clock = Stopwatch.StartNew();
        if (s.Threads is int threads) ThreadSettings.Apply(threads);
        if (s.OutputDirectory is not null)
        {
            RequireFreeRunFolder(s);
            if (root) Directory.CreateDirectory(s.OutputDirectory);
        }
        // Every output is checked before training: a run must not train to the end and then fail to write its results.
        if (s.LogGradients is not null && root) RequireWritable(s.LogGradients, "--log-gradients");

        var source = DataSource.Load(s.DataDirectory, s.Data);
        var full = source.Data;
        // Samples that may come in class order are shuffled (by --seed) before the validation samples are taken from
        // the end, as Keras's image_dataset_from_directory does.
        if (source.Kind.MayBeSorted()) full = full.Shuffled(s.Seed);
        var test = source.Test;
        if (s.TestPath is not null)
        {
            var given = DataSource.Load(s.TestPath, s.Data);
            test = full.ClassNames is { } names ? DataSource.Relabel(given.Data, names, s.TestPath) : given.Data;
        }
        // Split by count rather than Fit's validationSplit: a float fraction of 60 000 can round to 54 999.
        int held = s.ValidationCount ?? (int)Math.Round(full.Count / (double)ValidationDivisor);
        if (held >= full.Count)
            throw new ArgumentException($"--validation {held} leaves none of the {full.Count} training samples to train on.");
        var (train, validation) = held > 0 ? full.Split(full.Count - held) : (full, null);
        string targets = source.Regression ? "numeric targets" : string.Create(CultureInfo.InvariantCulture, $"{source.Classes} classes");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{source.Kind.Describe()} from {s.DataDirectory}: {train.Count} training, {validation?.Count ?? 0} validation, {test?.Count ?? 0} test samples of shape {train.Images.Shape.WithoutBatch()}, {targets}"));

        var (model, optimizer) = s.Resume is null ? NewModel(s, train, source) : Resumed(s.Resume, s.Epochs, s.Budget);
        long runSteps = RunSteps(s, train);
        if (s.Resume is not null && optimizer.Schedule is CosineDecay saved && saved.DecaySteps != runSteps)
        {
            // A run extended past its planned epochs would otherwise train on at the schedule's final rate (0).
            optimizer.Schedule = new CosineDecay(saved.InitialLearningRate, runSteps, saved.Alpha);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"The cosine learning-rate schedule now ends at step {runSteps} (--epochs {s.Epochs}) instead of step {saved.DecaySteps}."));
        }
        ActivationMemory.Require(s.Budget, model, Math.Min(s.BatchSize, Math.Max(1, train.Count)), training: true, "--batch-size");
        if (s.BatchSize == 1 && model.Layers.Any(l => l is Layers.BatchNormalization { Trainable: true }))
            throw new ArgumentException("--batch-size 1 cannot train a model with BatchNormalization: a batch variance needs at least 2 samples; use --batch-size 2 or more.");
        output.WriteLine(model.Summary());
        if (communicator is not null)
        {
            int ranks = communicator.Size, shard = (s.BatchSize + ranks - 1) / ranks;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Data-parallel on {ranks} MPI ranks: global batch {s.BatchSize}, {(s.BatchSize % ranks == 0 ? "" : "up to ")}{shard} per rank, BatchNormalization synchronized"));
        }
        string clipping = ClippingDescription.Of(optimizer);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training {(model.EpochsCompleted > 0 ? $"from epoch {model.EpochsCompleted + 1} " : "")}for {s.Epochs - model.EpochsCompleted} epoch{(s.Epochs - model.EpochsCompleted == 1 ? "" : "s")}: {optimizer.Name} learning rate {Format(optimizer.LearningRate)}{(optimizer.Schedule is CosineDecay cosine ? $" decayed along a cosine to 0 at step {cosine.DecaySteps}" : "")}{clipping}, batch size {s.BatchSize}, seed {s.Seed}{(s.Threads is int t ? $", threads {t}" : "")}"));
        output.Flush();

        var progress = new ProgressLogger(output, _terminal.Interactive && root ? ProgressStyle.Bar : ProgressStyle.Lines);
        int firstEpoch = model.EpochsCompleted + 1; // 1, or the first epoch after a resumed model's
        // With --output every finished epoch is saved at once (atomically), so a crash or Ctrl-C loses at most the epoch
        // in progress; a signal stops training after the current step.
        using var interruption = new Interruption();
        List<Callback> callbacks = [progress, interruption];
        string? checkpoint = s.OutputDirectory is null ? null : Path.Combine(s.OutputDirectory, "model.safetensors");
        var saver = checkpoint is null ? null : new ModelCheckpoint(checkpoint);
        if (saver is not null) callbacks.Add(saver);
        History history = model.Fit(train.Images, train.Labels, epochs: s.Epochs, batchSize: s.BatchSize,
            validationData: validation is null ? null : (validation.Images, validation.Labels), shuffle: true, seed: s.Seed, callbacks: callbacks,
            // A last batch of a single image has no batch variance, which BatchNormalization refuses: skip it.
            dropLastPartialBatch: train.Count % s.BatchSize == 1, initialEpoch: model.EpochsCompleted, verbose: 0, communicator: communicator);
        // The other ranks hold the same model as rank 0, which reports, scores and saves it.
        if (!root) return interruption.Requested ? 130 : 0;
        if (interruption.Requested)
        {
            output.WriteLine(checkpoint is not null && model.EpochsCompleted > 0 && File.Exists(checkpoint)
                ? $"interrupted: the model after epoch {model.EpochsCompleted} is in {checkpoint}; continue with --resume {checkpoint} " +
                  $"--output {s.OutputDirectory} --epochs {s.Epochs} (and this run's --seed, --validation and --batch-size)"
                : $"interrupted after {model.EpochsCompleted} epochs; nothing was saved (with --output DIR every finished epoch is kept)");
            return 130;
        }
        if (history.SkippedSteps > 0)
            output.WriteLine($"warning: {history.SkippedSteps} steps were skipped because the loss or a gradient was not finite; try a lower --learning-rate or --global-clip-norm.");
        if (s.LogGradients is not null)
        {
            File.WriteAllText(s.LogGradients, TrainingCsv.PerStep(history, firstEpoch));
            output.WriteLine($"gradient norms written to {s.LogGradients}");
        }

        // The final score: on the test set, or on the validation set when the data has no test set.
        var (scored, what) = test is not null ? (test, "test") : validation is not null ? (validation, "validation") : (null, "");
        if (scored is not null)
        {
            var result = model.Evaluate(InputAdapter.ToModelInput(scored.Images, model), scored.Labels, s.BatchSize);
            string metrics = string.Concat(result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{what} {m.Key} {m.Value:F4}, ")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{metrics}{what} loss {result.Loss:F4}"));
        }
        else
        {
            output.WriteLine("no test or validation set to score the model on (pass --test, or keep --validation above 0)");
        }

        if (s.OutputDirectory is not null)
        {
            // The model first: a failed save must not leave a history that describes a model the folder does not hold.
            string modelPath = Path.Combine(s.OutputDirectory, "model.safetensors");
            // The checkpoint has already written the last epoch's model; a run with no epoch left to train has not.
            if (saver is not { Saved.Count: > 0 }) model.Save(modelPath);
            output.WriteLine($"model written to {modelPath}");
            string path = Path.Combine(s.OutputDirectory, "history.csv");
            string csv = TrainingCsv.PerEpoch(history, model.CompiledMetrics.Select(m => m.Name).ToArray(), firstEpoch);
            File.WriteAllText(path, firstEpoch > 1 && File.Exists(path) ? TrainingCsv.Continue(File.ReadAllText(path), csv, firstEpoch) : csv);
            output.WriteLine($"history written to {path}");
            string gradients = Path.Combine(s.OutputDirectory, GradientsFile);
            string perStep = TrainingCsv.PerStep(history, firstEpoch);
            File.WriteAllText(gradients, firstEpoch > 1 && File.Exists(gradients) ? TrainingCsv.Continue(File.ReadAllText(gradients), perStep, firstEpoch) : perStep);
            output.WriteLine($"gradient norms written to {gradients} (strata diagnose {s.OutputDirectory} reads them)");
            WriteCharts(history, s.OutputDirectory, model.Name, firstEpoch, ClippingThreshold(optimizer));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total time {clock.Elapsed.TotalSeconds:F1}s"));
        return 0;
    }

    /// <summary>The per-step gradient norms in a run folder (<see cref="TrainingCsv.PerStep"/>), which <c>strata diagnose</c> reads.</summary>
    internal const string GradientsFile = "gradients.csv";

    /// <summary>
    /// learning-curves.png (loss and accuracy per epoch, training and validation) and gradient-norms.png (every
    /// step's global norm before clipping, log scale, with the clipping threshold) in the run folder. Without fonts
    /// the charts are skipped with a warning: the run's numbers are already written.
    /// </summary>
    private void WriteCharts(History history, string directory, string modelName, int firstEpoch, Threshold? clipping)
    {
        try
        {
            foreach (string path in TrainingCharts.Write(history, directory, modelName, firstEpoch, clipping))
                _terminal.Out.WriteLine($"chart written to {path}");
        }
        catch (PlotUnavailableException e)
        {
            _terminal.Out.WriteLine($"warning: {e.Message}");
        }
    }

    /// <summary>
    /// The norm the optimizer clips gradients to, as a line for the gradient-norm chart (which draws the global norm):
    /// the global threshold itself, or the per-weight one, which the global norm exceeds whenever any weight's
    /// gradient is clipped. Element-wise clipping (clipValue) has no norm to draw, nor have the adaptive ones: AGC's
    /// thresholds are per unit, and AutoClip's moves with every step.
    /// </summary>
    internal static Threshold? ClippingThreshold(Optimizer optimizer) =>
        optimizer.GlobalClipNorm is float g ? new Threshold($"globalClipNorm {Format(g)}", g)
        : optimizer.ClipNorm is float n ? new Threshold($"clipNorm {Format(n)} (per weight)", n)
        : null;

    /// <summary>
    /// The preset (or configuration) built for the data: its input shape, and an output of one unit per class (or one
    /// number for regression). Classification trains with cross-entropy and reports accuracy; regression with mean
    /// squared error, reporting mae. The data's class names go with the model, and any Normalization layer is
    /// adapted on the training samples.
    /// </summary>
    private static (Model, Optimizer) NewModel(TrainSettings s, Dataset train, SourceData source)
    {
        var inputShape = train.Images.Shape.WithoutBatch();
        var target = source.Regression ? ModelTarget.Regression : ModelTarget.Classification(Math.Max(2, source.Classes));
        var model = IsConfigFile(s.Model)
            ? Model.FromConfig(File.ReadAllText(s.Model), inputShape, outputUnits: target.IsRegression ? 1 : target.Classes, s.Seed, s.Budget)
            : Presets.Get(s.Model).Create(inputShape, target, s.Seed);
        if (model is Sequential stack) stack.Build(inputShape); // a functional model is built from its input already
        var optimizer = s.Clipping.Create(s.Optimizer, s.LearningRate);
        if (s.CosineDecay) optimizer.Schedule = new CosineDecay(s.LearningRate, RunSteps(s, train));
        Loss loss = target.IsRegression ? Losses.MeanSquaredError
            : model.OutputShape[^1] == 1 ? Losses.BinaryCrossentropy() : Losses.SparseCategoricalCrossentropy;
        model.Compile(optimizer, loss, [target.IsRegression ? Metrics.Get("mae") : Metrics.Accuracy]);
        model.ClassNames = train.ClassNames;
        if (model is Sequential sequential) sequential.Adapt(train.Images);
        return (model, optimizer);
    }

    /// <summary>
    /// The MPI job's ranks with --distributed, or when mpirun started this process among several; else null (one
    /// process). Without Open MPI, --distributed is refused with the reason and the install line.
    /// </summary>
    private static MpiCommunicator? OpenCommunicator(bool distributed)
    {
        bool underMpirun = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"), CultureInfo.InvariantCulture, out int size) && size > 1;
        if (!distributed && !underMpirun) return null;
        try
        {
            return MpiCommunicator.Open();
        }
        catch (MpiUnavailableException e)
        {
            throw new ArgumentException($"--distributed: {e.Message}", e);
        }
    }

    /// <summary>The steps of the whole run: one per (global) batch of the training samples, every epoch.</summary>
    private static long RunSteps(TrainSettings s, Dataset train) => (long)s.Epochs * ((train.Count + s.BatchSize - 1) / s.BatchSize);

    /// <summary>True when --model names a JSON configuration rather than a preset.</summary>
    private static bool IsConfigFile(string? model) => model is not null && model.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>A saved model with its optimizer, ready to train on to <paramref name="epochs"/> epochs in all.</summary>
    private static (Model, Optimizer) Resumed(string path, int epochs, MemoryBudget budget)
    {
        var model = Model.Load(path, budget: budget);
        if (model.Optimizer is not { } optimizer)
            throw new ArgumentException($"'{path}' was saved without its optimizer, so training cannot resume from it.");
        if (model.EpochsCompleted >= epochs)
            throw new ArgumentException($"'{path}' has already trained {model.EpochsCompleted} epochs; pass --epochs above that to train further.");
        return (model, optimizer);
    }

    private static string Format(float value) => value.ToString("G", CultureInfo.InvariantCulture);

    private static readonly string[] OptimizerNames = ["sgd", "adam", "adamw", "rmsprop", "nadam"];

    /// <summary>
    /// Refuses an --output folder that already holds a run, unless --overwrite says to replace it or --resume continues
    /// the model saved there: a finished run is never replaced by mistake.
    /// </summary>
    private static void RequireFreeRunFolder(TrainSettings s)
    {
        string folder = Path.GetFullPath(s.OutputDirectory!);
        if (s.Overwrite || !File.Exists(Path.Combine(folder, "model.safetensors"))) return;
        if (s.Resume is not null && string.Equals(Path.GetDirectoryName(Path.GetFullPath(s.Resume)), folder, StringComparison.Ordinal)) return;
        throw new ArgumentException(
            $"--output {s.OutputDirectory} already holds a run (model.safetensors); pass --overwrite to replace it, " +
            $"or --resume {Path.Combine(s.OutputDirectory!, "model.safetensors")} to continue it.");
    }

    /// <summary>Opens <paramref name="path"/> for writing (creating it if needed) so that a bad path fails before training.</summary>
    private static void RequireWritable(string path, string option)
    {
        try
        {
            using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} {path} cannot be written ({e.Message}); nothing was trained.", e);
        }
    }

    /// <summary>Keras's default learning rate of an optimizer, as its constructor's default.</summary>
    private static float DefaultLearningRate(string optimizer) => optimizer switch
    {
        "adam" => new Adam().LearningRate,
        "adamw" => new AdamW().LearningRate,
        "rmsprop" => new RmsProp().LearningRate,
        "nadam" => new Nadam().LearningRate,
        _ => new Sgd().LearningRate,
    };

    private sealed record TrainSettings(string Model, string DataDirectory, string? TestPath, DataOptions Data, int Epochs, int BatchSize, float LearningRate,
        int Seed, int? Threads, MemoryBudget Budget, int? ValidationCount, string? OutputDirectory, bool Overwrite,
        string Optimizer, bool CosineDecay, ClippingOptions.Choice Clipping, string? LogGradients, string? Resume,
        bool Distributed);
}
