using System.Globalization;
using System.Text.RegularExpressions;
using Strata.Cli;
using Strata.Data;
using Strata.Optimizers;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Cli;

/// <summary>
/// Runs <c>strata</c> in-process on a tiny synthetic Fashion-MNIST directory. Output goes to the writers given
/// to <see cref="Program.Run(string[], TextWriter, TextWriter)"/>, never to the global console, and every test
/// here is in one class, so they run one after another. One test sets <c>--threads</c>, which sizes the
/// process-wide worker pool, so the class runs alone (other tests compare results that depend on the thread count).
/// </summary>
[Collection(nameof(Kernels.WorkerPoolSettings))]
public sealed partial class TrainCommandTests : IDisposable
{
    private const int TrainCount = 200;
    private const int TestCount = 50;
    private const int Side = 28;

    private readonly string _root = Directory.CreateTempSubdirectory("strata-cli-").FullName;
    private readonly string _data;

    public TrainCommandTests()
    {
        _data = Path.Combine(_root, "fashion-mnist");
        Directory.CreateDirectory(_data);
        CliHarness.WriteTinyFashionMnist(_data, TrainCount, TestCount);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Train_OnTinyData_PrintsSummaryEpochsAndTestAccuracy()
    {
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.Contains("Model: \"mlp-bn\"", run.Stdout, StringComparison.Ordinal); // the BN network is the default
        Assert.Contains("Total params: 271,346", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Non-trainable params: 2,368", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"183 training, 17 validation, {TestCount} test samples", run.Stdout, StringComparison.Ordinal);
        // Captured output is not a terminal: one plain line per epoch.
        Assert.Matches(EpochLine(1), run.Stdout);
        Assert.Matches(EpochLine(2), run.Stdout);
        Assert.Matches(TestLine(), run.Stdout);
        Assert.Matches(@"total time \d+\.\ds", run.Stdout);
    }

    [Fact]
    public void Train_WithAdamAndGlobalClipping_LogsGradientNorms()
    {
        string log = Path.Combine(Path.GetTempPath(), $"strata-grad-{Guid.NewGuid():N}.csv");
        try
        {
            var run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16", "--optimizer", "adam",
                "--learning-rate", "0.001", "--global-clip-norm", "1", "--log-gradients", log);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("Adam learning rate 0.001, globalClipNorm 1", run.Stdout, StringComparison.Ordinal);
            string[] lines = File.ReadAllLines(log);
            Assert.StartsWith("epoch,step,global,batch_normalization", lines[0], StringComparison.Ordinal); // mlp-bn: gamma comes first
            Assert.Equal(1 + 2 * 12, lines.Length); // 183 training images in batches of 16: 12 steps per epoch
            Assert.StartsWith("2,12,", lines[^1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void Train_WithACosineSchedule_DecaysTheRateToZeroOverTheRun()
    {
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16", "--schedule", "cosine");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("SGD learning rate 0.01 decayed along a cosine to 0 at step 24", run.Stdout, StringComparison.Ordinal); // 12 steps an epoch
        run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--schedule", "linear");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("linear", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_WithTwoClippingOptionsOrAnUnknownOptimizer_Fails()
    {
        var run = CliHarness.Run("train", "--data", _data, "--clip-norm", "1", "--clip-value", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--clip-value and --clip-norm cannot be combined", run.Stderr, StringComparison.Ordinal);
        run = CliHarness.Run("train", "--data", _data, "--optimizer", "adagrad");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown optimizer 'adagrad'", run.Stderr, StringComparison.Ordinal);
        run = CliHarness.Run("train", "--data", _data, "--global-clip-norm", "0");
        Assert.Equal(1, run.ExitCode);
        run = CliHarness.Run("train", "--data", _data, "--agc", "0.01", "--auto-clip", "10");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--agc and --auto-clip cannot be combined", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--agc", "0.01", "SGD learning rate 0.05, agc 0.01 (final layer excluded)")]
    [InlineData("--auto-clip", "10", "SGD learning rate 0.05, autoClipPercentile 10")]
    public void Train_WithAdaptiveClipping_SaysSoAndTrains(string option, string value, string line)
    {
        var run = CliHarness.Run("train", "--data", _data, "--model", "mlp", "--epochs", "1", "--batch-size", "16", "--learning-rate", "0.05", option, value);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains(line, run.Stdout, StringComparison.Ordinal);
        Assert.Matches(TestLine(), run.Stdout);
    }

    [Fact]
    public void Train_LearnsTheSyntheticPattern()
    {
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "3", "--batch-size", "16", "--learning-rate", "0.05");

        Assert.True(run.ExitCode == 0, run.Stderr);
        double accuracy = double.Parse(TestLine().Match(run.Stdout).Groups["accuracy"].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.6, $"test accuracy {accuracy} on a pattern that is easy to learn:\n{run.Stdout}");
    }

    [Fact]
    public void Train_SameSeed_SameResult()
    {
        string[] args = ["train", "--data", _data, "--epochs", "1", "--batch-size", "16", "--seed", "7"];
        var first = CliHarness.Run(args);
        var second = CliHarness.Run(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(TestLine().Match(first.Stdout).Value, TestLine().Match(second.Stdout).Value);
    }

    [Fact]
    public void Train_Output_WritesHistoryCsvWithOneRowPerEpoch()
    {
        string runDir = Path.Combine(_root, "runs", "first");
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16", "--output", runDir);

        Assert.True(run.ExitCode == 0, run.Stderr);
        string[] lines = File.ReadAllLines(Path.Combine(runDir, "history.csv"));
        Assert.Equal(3, lines.Length);
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy", lines[0]);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            string[] fields = lines[epoch].Split(',');
            Assert.Equal(5, fields.Length);
            Assert.Equal(epoch.ToString(CultureInfo.InvariantCulture), fields[0]);
            foreach (string field in fields.Skip(1))
                Assert.True(double.IsFinite(double.Parse(field, CultureInfo.InvariantCulture)), lines[epoch]);
        }
        // The learning curves and the per-step gradient norms as charts beside the CSV (or a warning without fonts).
        if (ReportAssert.FontsAvailable())
        {
            ReportAssert.AssertPng(Path.Combine(runDir, Strata.Experiments.Reporting.TrainingCharts.LearningCurves));
            ReportAssert.AssertPng(Path.Combine(runDir, Strata.Experiments.Reporting.TrainingCharts.GradientNorms));
            Assert.Contains("chart written to", run.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("warning: no fonts were found", run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Train_MissingDataDirectory_FailsWithTheInstallHint()
    {
        var run = CliHarness.Run("train", "--data", Path.Combine(_root, "nowhere"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--data PATH", run.Stderr, StringComparison.Ordinal);
        CliHarness.AssertOneErrorLine(run.Stderr);
    }

    [Fact]
    public void Train_IncompleteDataDirectory_NamesTheMissingFiles()
    {
        File.Delete(Path.Combine(_data, "t10k-labels-idx1-ubyte"));

        var run = CliHarness.Run("train", "--data", _data);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("t10k-labels-idx1-ubyte", run.Stderr, StringComparison.Ordinal);
        CliHarness.AssertOneErrorLine(run.Stderr);
    }

    [Fact]
    public void Train_UnknownModel_FailsListingThePresets()
    {
        var run = CliHarness.Run("train", "--data", _data, "--model", "transformer");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown model 'transformer'; the presets are: mlp, mlp-bn, mlp-bn-before-activation, cnn-bn, tabular, resnet.", run.Stderr, StringComparison.Ordinal);
        CliHarness.AssertOneErrorLine(run.Stderr);
    }

    [Fact]
    public void Train_TheResNetPreset_TrainsSavesAndResumesAFunctionalModel()
    {
        string output = Path.Combine(_root, "run-resnet");
        var run = CliHarness.Run("train", "--data", _data, "--model", "resnet", "--epochs", "1", "--batch-size", "32", "--output", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Model: \"resnet\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Connected to", run.Stdout, StringComparison.Ordinal); // the functional table
        // 183 training images in batches of 32: 6 steps in the one epoch, the cosine's last.
        Assert.Contains("Adam learning rate 0.001 decayed along a cosine to 0 at step 6", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("test accuracy", run.Stdout, StringComparison.Ordinal);
        string saved = Path.Combine(output, "model.safetensors");
        var model = Model.Load(saved);
        Assert.IsNotType<Sequential>(model);
        Assert.Equal(1, model.EpochsCompleted);
        Assert.Equal(6, model.Layers.OfType<Strata.Layers.Add>().Count());

        Assert.Equal(6, Assert.IsType<CosineDecay>(model.Optimizer!.Schedule).DecaySteps);

        // Extended to 2 epochs, the schedule is stretched to the new end rather than left at its final rate of 0.
        run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "32", "--output", output, "--resume", saved);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("The cosine learning-rate schedule now ends at step 12 (--epochs 2) instead of step 6.", run.Stdout, StringComparison.Ordinal);
        var resumed = Model.Load(saved);
        Assert.Equal(2, resumed.EpochsCompleted);
        Assert.Equal(12, Assert.IsType<CosineDecay>(resumed.Optimizer!.Schedule).DecaySteps);
    }

    [Fact]
    public void Train_ThreadsOption_IsAccepted()
    {
        int threads = Strata.ComputeContext.Default.Threads;
        try
        {
            var run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--threads", "1");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("threads 1", run.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Strata.ComputeContext.Default.Threads = threads;
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("mlp-bn")]
    [InlineData("mlp-bn-before-activation")]
    [InlineData("cnn-bn")]
    public void Train_OneTwoOrThreeThreads_WriteTheSameModelFileByteForByte(string preset)
    {
        // Separate processes, as a user runs them: in one process the Keras-style layer names (dense_1, dense_2, ...)
        // would count on from run to run and make the files differ in their names alone.
        byte[] Train(int threads)
        {
            string output = Path.Combine(_root, $"{preset}-threads-{threads}");
            var run = CliProcess.Run(["train", "--data", _data, "--epochs", "1", "--batch-size", "16", "--model", preset, "--threads", $"{threads}", "--output", output]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        }
        byte[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(3));
    }

    [Theory]
    [InlineData("adam", "Adam learning rate 0.001")]
    [InlineData("rmsprop", "RMSprop learning rate 0.001")]
    [InlineData("sgd", "SGD learning rate 0.01")]
    public void Train_AnotherOptimizer_StartsFromItsKerasDefaultRate(string optimizer, string expected)
    {
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--optimizer", optimizer);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
        run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--optimizer", optimizer, "--learning-rate", "0.05");
        Assert.Contains("learning rate 0.05", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_AnUnwritableGradientLog_FailsBeforeTraining()
    {
        string output = Path.Combine(_root, "run-unwritable-log");
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--output", output,
            "--log-gradients", Path.Combine(_root, "no-such-folder", "g.csv"));
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("--log-gradients", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/2", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ErrorsSpeakTheCommandLinesWords()
    {
        var run = CliHarness.Run("train", "--data", Path.Combine(_root, "nowhere"), "--clip-norm", "1", "--global-clip-norm", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--clip-norm and --global-clip-norm cannot be combined", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Fashion-MNIST", run.Stderr, StringComparison.Ordinal); // refused before the data is looked at

        run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--batch-size", "1");
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("--batch-size 2 or more", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("dropLastPartialBatch", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_IntoAnExistingRun_IsRefusedUnlessOverwriteOrResume()
    {
        string output = Path.Combine(_root, "run-twice");
        Assert.Equal(0, CliHarness.Run("train", "--data", _data, "--epochs", "1", "--output", output).ExitCode);
        byte[] first = File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--output", output, "--seed", "7");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--overwrite", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(output, "model.safetensors"))); // the first run is intact
        run = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--output", output, "--resume", Path.Combine(output, "model.safetensors"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        // Resumed into its own folder, the run's history keeps epoch 1 and adds epoch 2.
        string[] rows = File.ReadAllLines(Path.Combine(output, "history.csv"));
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("1,", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("2,", rows[2], StringComparison.Ordinal);
        run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--output", output, "--overwrite");
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [Fact]
    public async Task Train_InterruptedBySigint_KeepsTheLastEpochAndResumesToTheUninterruptedWeights()
    {
        if (!OperatingSystem.IsLinux()) return; // the signal is sent with kill(2)
        string interrupted = Path.Combine(_root, "run-interrupted");
        using (var child = CliProcess.Start(["train", "--data", _data, "--epochs", "500", "--batch-size", "16", "--output", interrupted]))
        {
            var stderr = child.StandardError.ReadToEndAsync();
            string? line;
            while ((line = await child.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("epoch   1/", StringComparison.Ordinal)
                && !line.StartsWith("epoch 1/", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
            Assert.Equal(0, Kill(child.Id, 2)); // SIGINT
            string rest = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            Assert.True(child.ExitCode == 130, $"exit {child.ExitCode}: {await stderr}");
            Assert.Contains("interrupted: the model after epoch", rest, StringComparison.Ordinal);
        }
        string saved = Path.Combine(interrupted, "model.safetensors");
        int done = Sequential.Load(saved).EpochsCompleted;
        Assert.InRange(done, 1, 499);

        // Resumed to one more epoch, it writes the file an uninterrupted run of that many epochs writes.
        string total = $"{done + 1}";
        string straight = Path.Combine(_root, "run-straight");
        using (var run = CliProcess.Start(["train", "--data", _data, "--epochs", total, "--batch-size", "16", "--output", straight]))
        {
            await run.StandardOutput.ReadToEndAsync();
            await run.WaitForExitAsync();
            Assert.Equal(0, run.ExitCode);
        }
        using (var run = CliProcess.Start(["train", "--data", _data, "--epochs", total, "--batch-size", "16", "--output", interrupted, "--resume", saved]))
        {
            await run.StandardOutput.ReadToEndAsync();
            await run.WaitForExitAsync();
            Assert.Equal(0, run.ExitCode);
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.safetensors")), File.ReadAllBytes(saved));
    }

    [Fact]
    public void TrainHelp_ListsEveryOptionWithDefaults()
    {
        var run = CliHarness.Run("train", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("strata train [options]", run.Stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--epochs", "--batch-size", "--learning-rate", "--seed", "--model", "--data", "--threads", "--output" })
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: 10]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(FashionMnist.DefaultDirectory, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("mlp", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    public void RootHelp_NamesTheTrainCommand(params string[] args)
    {
        var run = CliHarness.Run(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("strata [command] [options]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("train", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_FailsAndPointsAtHelp()
    {
        var run = CliHarness.Run("tarin");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'tarin'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("strata --help", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ClippingThreshold_IsTheNormClippedTo_AndNoneForElementWiseClipping()
    {
        var global = Strata.Cli.Commands.TrainCommand.ClippingThreshold(new Strata.Optimizers.Sgd(0.1f, globalClipNorm: 5f));
        var perWeight = Strata.Cli.Commands.TrainCommand.ClippingThreshold(new Strata.Optimizers.Adam(clipNorm: 0.5f));

        Assert.Equal(new Strata.Experiments.Reporting.Threshold("globalClipNorm 5", 5), global);
        Assert.Equal(new Strata.Experiments.Reporting.Threshold("clipNorm 0.5 (per weight)", 0.5), perWeight);
        Assert.Null(Strata.Cli.Commands.TrainCommand.ClippingThreshold(new Strata.Optimizers.Sgd(0.1f, clipValue: 1f)));
        Assert.Null(Strata.Cli.Commands.TrainCommand.ClippingThreshold(new Strata.Optimizers.Sgd(0.1f)));
    }

    private static Regex EpochLine(int epoch) => new(
        $@"^epoch {epoch}/2  loss \d+\.\d{{4}}  accuracy \d\.\d{{4}}  val_loss \d+\.\d{{4}}  val_accuracy \d\.\d{{4}}  samples/s \d+  \d+\.\ds$",
        RegexOptions.Multiline);

    [GeneratedRegex(@"test accuracy (?<accuracy>\d\.\d{4}), test loss \d+\.\d{4}")]
    private static partial Regex TestLine();
}
