using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strata.Experiments;
using Strata.Data;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata experiment batchnorm|clipping|residual|transfer</c>: reproduces a paper's experiment and writes a folder with a Markdown
/// report, the CSV data and PNG charts (by default a new <c>runs/experiment-NAME-yyyyMMdd-HHmmss</c> under the
/// current directory), then prints a short table. A thin driver over Strata.Experiments: options → settings →
/// <c>Run</c> (a line per finished run) → <c>WriteReport</c> → the summary.
/// </summary>
internal sealed class ExperimentCommand : Command
{
    public ExperimentCommand(Terminal terminal)
        : base("experiment", "Run a paper's experiment and write a report with CSV data and PNG charts.")
    {
        Subcommands.Add(new BatchNormCommand(terminal));
        Subcommands.Add(new ClippingCommand(terminal));
        Subcommands.Add(new ResidualCommand(terminal));
        Subcommands.Add(new TransferCommand(terminal));
    }

    /// <summary>The options every experiment takes.</summary>
    internal abstract class ExperimentSubcommand : Command
    {
        protected Terminal Terminal { get; }

        protected Option<bool> Quick { get; } = new("--quick") { Description = "A reduced version (about 15 s) that shows the direction of each effect, and says what it cannot show" };

        protected Option<string?> Output { get; } = new("--output")
        {
            Description = "Folder for report.md, the CSV files and the PNG charts [default: runs/experiment-NAME-<timestamp>]",
            HelpName = "DIR",
        };

        /// <summary>The most --seeds: each seed repeats every condition.</summary>
        private const int MaxSeeds = 100;

        protected Option<int?> Seeds { get; } = new("--seeds")
        {
            Description = $"Seeds per condition, 1 to {MaxSeeds} [default: 3; 1 for batchnorm --quick and for residual; 30 for transfer, 10 with --quick]",
            HelpName = "N",
            CustomParser = result => OptionParsers.WholeNumber(1, MaxSeeds)(result),
        };

        protected Option<int?> Threads { get; } = CommonOptions.Threads();

        protected Option<MemoryBudget?> MaxMemory { get; } = CommonOptions.MaxMemory();

        protected ExperimentSubcommand(string name, string description, Terminal terminal) : base(name, description)
        {
            Terminal = terminal;
            Options.Add(Quick);
            Options.Add(Seeds);
            Options.Add(Output);
            Options.Add(Threads);
            Options.Add(MaxMemory);
            SetAction(parsed =>
            {
                if (parsed.GetValue(Threads) is int threads) ThreadSettings.Apply(threads);
                string output = parsed.GetValue(Output) ?? Path.Combine("runs",
                    $"experiment-{Name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                return CommandErrors.Guarded(Terminal, () => Execute(parsed, output));
            });
        }

        protected abstract int Execute(ParseResult parsed, string output);

        /// <summary>An experiment's --learning-rate: a number above 0, described by <paramref name="description"/>.</summary>
        protected static Option<float?> LearningRate(string description) => CommonOptions.PositiveNumber("--learning-rate", description);

        /// <summary>Fashion-MNIST from <paramref name="data"/>, within --max-memory.</summary>
        protected (Dataset Train, Dataset Test) LoadFashionMnist(ParseResult parsed, string data) =>
            FashionMnist.Load(data, CommonOptions.Budget(parsed, MaxMemory));

        /// <summary>Creates the report folder and prints the experiment's opening line.</summary>
        protected void Begin(string output, string headline)
        {
            Directory.CreateDirectory(output);
            Terminal.Out.WriteLine(headline);
            Terminal.Out.Flush();
        }

        /// <summary>Prints a line per finished run as it finishes (at once, on the training thread: a <see cref="Progress{T}"/> would post it to the thread pool, out of order).</summary>
        protected IProgress<ExperimentProgress<TRun>> RunLines<TRun>(Func<TRun, string> line) => new LineProgress<ExperimentProgress<TRun>>(p =>
        {
            Terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{p.Done}/{p.Total}] {line(p.Run)}"));
            Terminal.Out.Flush();
        });

        /// <summary>The closing lines: the summary table, the caveat of a reduced run, where the report is, any chart warning, and the time.</summary>
        protected void Finish(string summary, string? caveat, ExperimentReport report, Stopwatch clock)
        {
            var o = Terminal.Out;
            o.WriteLine();
            o.Write(summary);
            if (caveat is not null) o.WriteLine(caveat);
            if (report.ChartWarning is not null) o.WriteLine($"warning: {report.ChartWarning}");
            o.WriteLine($"report written to {report.ReportFile}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total time {clock.Elapsed.TotalSeconds:F1}s"));
        }

        private sealed class LineProgress<T>(Action<T> report) : IProgress<T>
        {
            public void Report(T value) => report(value);
        }
    }

    private sealed class BatchNormCommand : ExperimentSubcommand
    {
        private readonly Option<string> _data = CommonOptions.Data();

        public BatchNormCommand(Terminal terminal)
            : base("batchnorm", "Ioffe & Szegedy's sigmoid network on Fashion-MNIST with and without BatchNormalization: speed of learning, a sigmoid input's distribution over training, learning-rate, activation and initialization sweeps.", terminal)
        {
            Options.Add(_data);
        }

        protected override int Execute(ParseResult parsed, string output)
        {
            var clock = Stopwatch.StartNew();
            int seeds = parsed.GetValue(Seeds) ?? (parsed.GetValue(Quick) ? 1 : 3);
            var settings = parsed.GetValue(Quick) ? BatchNormSettings.Quick(seeds) : BatchNormSettings.Full(seeds);
            string data = parsed.GetValue(_data)!;
            var (train, test) = LoadFashionMnist(parsed, data);
            Begin(output, string.Create(CultureInfo.InvariantCulture,
                $"batchnorm experiment{(parsed.GetValue(Quick) ? " (quick)" : "")}: {BatchNormExperiment.Plan(settings).Count} runs, {train.Count} training images from {data}; writing to {output}"));
            var result = BatchNormExperiment.Run(settings, train, test, RunLines<BatchNormRun>(run =>
            {
                var p = run.Spec;
                return string.Create(CultureInfo.InvariantCulture,
                    $"{p.Group,-13} {p.Network,-5} {p.Activation,-7} lr {p.LearningRate,-4} σ {p.InitStddev,-5} seed {p.Seed}: test accuracy {run.FinalAccuracy:F4} (best {run.BestAccuracy:F4}){(run.SkippedSteps > 0 ? $", {run.SkippedSteps} non-finite steps" : "")}  {run.Seconds:F1}s");
            }));
            Finish(result.SummaryTable(), settings.Caveat, result.WriteReport(output, dataSource: data), clock);
            return 0;
        }
    }

    private sealed class ClippingCommand : ExperimentSubcommand
    {
        private readonly Option<string?> _lengths = new("--lengths")
        {
            Description = $"Sequence lengths, comma-separated, each {ClippingSettings.MinLength} to {ClippingSettings.MaxLength} (the runs must also fit --max-memory) [default: 10,20,30,50; 20 with --quick]",
            HelpName = "T,T,...",
        };

        private readonly Option<int?> _maxSteps = new("--max-steps")
        {
            Description = $"Most SGD steps per run, 1 to {ClippingSettings.MaxMaxSteps}; a run stops early once it succeeds [default: 20000; 3000 with --quick]",
            HelpName = "N",
            CustomParser = result => OptionParsers.WholeNumber(1, ClippingSettings.MaxMaxSteps)(result),
        };

        private readonly Option<float?> _learningRate = LearningRate("SGD learning rate, above 0 [default: 0.1; the paper's 0.01 needs far more steps]");

        private readonly Option<float?> _recurrentStddev = CommonOptions.PositiveNumber("--recurrent-stddev", "σ of the recurrent kernel's N(0, σ²) initialization, above 0 [default: 0.1, the paper's \"basic tanh\"]");

        private readonly Option<float?> _agc = CommonOptions.PositiveNumber("--agc", $"λ of the agc mode (adaptive gradient clipping), above 0 [default: {ClippingSettings.DefaultAgc.ToString(CultureInfo.InvariantCulture)}]");

        private readonly Option<float?> _autoClip = CommonOptions.Percentile("--auto-clip", "Percentile of the autoClip mode, above 0 and at most 100 [default: 10, Seetharaman et al.'s]");

        public ClippingCommand(Terminal terminal)
            : base("clipping", "Pascanu et al.'s recurrent networks on the adding and temporal-order problems at several lengths, without clipping, with clipValue, clipNorm and globalClipNorm, and with the adaptive agc and autoClip: success rate, gradient norms, exploded steps.", terminal)
        {
            _lengths.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<string?>() is string text && ParseLengths(text) is null)
                    result.AddError($"--lengths takes whole numbers from {ClippingSettings.MinLength} to {ClippingSettings.MaxLength}, comma-separated; got '{text}'.");
            });
            Options.Add(_lengths);
            Options.Add(_maxSteps);
            Options.Add(_learningRate);
            Options.Add(_recurrentStddev);
            Options.Add(_agc);
            Options.Add(_autoClip);
        }

        private static int[]? ParseLengths(string text)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var lengths = new List<int>();
            foreach (string part in parts)
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t is < ClippingSettings.MinLength or > ClippingSettings.MaxLength)
                    return null;
                lengths.Add(t);
            }
            return lengths.Count == 0 ? null : [.. lengths.Distinct().Order()];
        }

        protected override int Execute(ParseResult parsed, string output)
        {
            var clock = Stopwatch.StartNew();
            bool quick = parsed.GetValue(Quick);
            int seeds = parsed.GetValue(Seeds) ?? 3;
            var settings = quick ? ClippingSettings.Quick(seeds) : ClippingSettings.Full(seeds);
            if (parsed.GetValue(_lengths) is string lengths) settings = settings with { Lengths = ParseLengths(lengths)! };
            if (parsed.GetValue(_maxSteps) is int maxSteps) settings = settings with { MaxSteps = maxSteps };
            if (parsed.GetValue(_learningRate) is float lr) settings = settings with { LearningRate = lr };
            if (parsed.GetValue(_recurrentStddev) is float sigma) settings = settings with { RecurrentStddev = sigma };
            if (parsed.GetValue(_agc) is float agc) settings = settings with { Agc = agc };
            if (parsed.GetValue(_autoClip) is float percentile) settings = settings with { AutoClipPercentile = percentile };
            // Refused before the folder is created: the settings alone say how much memory the runs need.
            CommonOptions.Budget(parsed, MaxMemory).Require(settings.EstimatedBytes(),
                $"the clipping experiment with --lengths up to {settings.Lengths.Max()}, {seeds} seeds and --max-steps {settings.MaxSteps} (estimated)");
            Begin(output, string.Create(CultureInfo.InvariantCulture,
                $"clipping experiment{(quick ? " (quick)" : "")}: {ClippingExperiment.Plan(settings).Count} runs (lengths {string.Join(", ", settings.Lengths)}, {seeds} seeds, at most {settings.MaxSteps} steps each); writing to {output}"));
            var result = ClippingExperiment.Run(settings, RunLines<ClippingRun>(run =>
            {
                var p = run.Spec;
                string outcome = run.Succeeded ? $"solved at step {run.StepsToSuccess}" : $"not solved, error rate {run.FinalErrorRate:P1}";
                return string.Create(CultureInfo.InvariantCulture,
                    $"{p.Task,-14} T {p.Length,-4} {p.ModeName,-14} seed {p.Seed}: {outcome}; exploded steps {run.ExplodedFraction:P1}, max ‖g‖ {run.MaxNorm:G3}  {run.Seconds:F1}s");
            }));
            Finish(result.SummaryTable(), settings.Caveat, result.WriteReport(output), clock);
            return 0;
        }
    }

    private sealed class ResidualCommand : ExperimentSubcommand
    {
        private readonly Option<string> _data = CommonOptions.Data();

        private readonly Option<int?> _blocks = new("--blocks")
        {
            Description = $"Residual blocks, 1 to {ResidualSettings.MaxBlocks} (2 weighted layers each) [default: 16; 8 with --quick]",
            HelpName = "N",
            CustomParser = result => OptionParsers.WholeNumber(1, ResidualSettings.MaxBlocks)(result),
        };

        private readonly Option<int?> _steps = new("--steps")
        {
            Description = "SGD steps per run, 1 to 1000000 [default: 1000; 200 with --quick]",
            HelpName = "N",
            CustomParser = result => OptionParsers.WholeNumber(1, 1_000_000)(result),
        };

        private readonly Option<float?> _learningRate = LearningRate("SGD learning rate (momentum 0.9), above 0 [default: 0.05]");

        public ResidualCommand(Terminal terminal)
            : base("residual", "A deep residual network on Fashion-MNIST with BatchNormalization, without it at the usual initialization, and without it with Fixup (Zhang et al. 2019): learning curves, final accuracy, gradient norm per block at initialization.", terminal)
        {
            Options.Add(_data);
            Options.Add(_blocks);
            Options.Add(_steps);
            Options.Add(_learningRate);
        }

        protected override int Execute(ParseResult parsed, string output)
        {
            var clock = Stopwatch.StartNew();
            bool quick = parsed.GetValue(Quick);
            int seeds = parsed.GetValue(Seeds) ?? 1;
            var settings = quick ? ResidualSettings.Quick(seeds) : ResidualSettings.Full(seeds);
            if (parsed.GetValue(_blocks) is int blocks) settings = settings with { Blocks = blocks };
            if (parsed.GetValue(_steps) is int steps) settings = settings with { Steps = steps, EvaluateEvery = Math.Max(1, Math.Min(settings.EvaluateEvery, steps)) };
            if (parsed.GetValue(_learningRate) is float lr) settings = settings with { LearningRate = lr };
            string data = parsed.GetValue(_data)!;
            var (train, test) = LoadFashionMnist(parsed, data);
            Begin(output, string.Create(CultureInfo.InvariantCulture,
                $"residual experiment{(quick ? " (quick)" : "")}: {ResidualExperiment.Plan(settings).Count} runs of {settings.Blocks} blocks, {settings.Steps} steps each, {train.Count} training images from {data}; writing to {output}"));
            var result = ResidualExperiment.Run(settings, train, test, RunLines<ResidualRun>(run => string.Create(CultureInfo.InvariantCulture,
                $"{run.Spec.Label,-6} seed {run.Spec.Seed}: initial loss {run.InitialLoss:G3}, test accuracy {run.FinalAccuracy:F4} (best {run.BestAccuracy:F4}){(run.SkippedSteps > 0 ? $", {run.SkippedSteps} non-finite steps" : "")}  {run.Seconds:F1}s")));
            Finish(result.SummaryTable(), settings.Caveat, result.WriteReport(output, dataSource: data), clock);
            return 0;
        }
    }

    private sealed class TransferCommand : ExperimentSubcommand
    {
        private readonly Option<string> _data = CommonOptions.Data();

        private readonly Option<int?> _targetImages = new("--target-images")
        {
            Description = "Labelled sandal and shirt images model B trains on, drawn afresh for each seed [default: 200, as the texts]",
            HelpName = "N",
            CustomParser = result => OptionParsers.WholeNumber(1, 12_000)(result),
        };

        private readonly Option<float?> _learningRate = LearningRate("SGD learning rate of models A and B (the reused layers of B train at a tenth of it once unfrozen), above 0 [default: 0.01]");

        public TransferCommand(Terminal terminal)
            : base("transfer", "Géron's transfer learning on Fashion-MNIST: a shirt-or-sandal classifier from 200 images, trained from scratch and from the layers of a network trained on the other eight classes (frozen, then unfrozen at a lower rate), with and without BatchNormalization, over many seeds.", terminal)
        {
            Options.Add(_data);
            Options.Add(_targetImages);
            Options.Add(_learningRate);
        }

        protected override int Execute(ParseResult parsed, string output)
        {
            var clock = Stopwatch.StartNew();
            bool quick = parsed.GetValue(Quick);
            int seeds = parsed.GetValue(Seeds) ?? (quick ? 10 : TransferSettings.DefaultSeeds);
            var settings = quick ? TransferSettings.Quick(seeds) : TransferSettings.Full(seeds);
            if (parsed.GetValue(_targetImages) is int images) settings = settings with { TargetCount = images };
            if (parsed.GetValue(_learningRate) is float lr) settings = settings with { LearningRate = lr };
            string data = parsed.GetValue(_data)!;
            var (train, test) = LoadFashionMnist(parsed, data);
            Begin(output, string.Create(CultureInfo.InvariantCulture,
                $"transfer experiment{(quick ? " (quick)" : "")}: 2 models A ({settings.SourceEpochs} epochs), then {TransferExperiment.Plan(settings).Count} models B on {settings.TargetCount} images each, from {data}; writing to {output}"));
            var result = TransferExperiment.Run(settings, train, test, RunLines<TransferRun>(run => string.Create(CultureInfo.InvariantCulture,
                $"{run.Spec.Label,-16} seed {run.Spec.Seed}: test error {run.TestError * 100:F2}%  {run.Seconds:F1}s")));
            Finish(result.SummaryTable(), settings.Caveat, result.WriteReport(output, dataSource: data), clock);
            return 0;
        }
    }
}
