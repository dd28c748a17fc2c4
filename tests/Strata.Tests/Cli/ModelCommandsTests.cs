using System.Globalization;
using System.Text.RegularExpressions;
using Strata.Data;
using Strata.Tests.Data;

namespace Strata.Tests.Cli;

/// <summary>
/// <c>strata train --output</c>, then <c>summary</c>, <c>evaluate</c>, <c>predict</c>, <c>fold</c> and
/// <c>train --resume</c> on the saved model, in-process on tiny data. One class: the tests share one trained model.
/// </summary>
public sealed partial class ModelCommandsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-model-cli-").FullName;
    private readonly string _data;
    private readonly string _model;

    public ModelCommandsTests()
    {
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_data);
        CliHarness.WriteTinyFashionMnist(_data, 200, 50);
        var run = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--batch-size", "16", "--output", Path.Combine(_root, "run"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        _model = Path.Combine(_root, "run", "model.safetensors");
        Assert.Contains($"model written to {_model}", run.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Summary_shows_the_layers_the_optimizer_and_the_epochs()
    {
        var run = CliHarness.Run("summary", _model);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Total params: 271,346", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("optimizer SGD (learning rate 0.01) after 12 updates", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Epochs completed: 1", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_and_evaluate_fail_when_the_outputs_are_not_finite()
    {
        // Finite weights (the file loads) whose products overflow: the outputs are NaN, which is no result.
        var model = new Sequential(new Strata.Layers.Flatten(inputShape: [28, 28]), new Strata.Layers.Dense(10, activation: "softmax")) { Seed = 1 };
        model.Build(new Shape(28, 28));
        model.Layers[1].Weights[0].Value.Fill(3e38f);
        string path = Path.Combine(_root, "overflowing.safetensors");
        model.Save(path, includeOptimizer: false);
        var run = CliHarness.Run("predict", path, "--input", Path.Combine(_data, "t10k-images-idx3-ubyte"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not a prediction", run.Stderr, StringComparison.Ordinal);
        run = CliHarness.Run("evaluate", path, "--data", _data);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not a result", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_refuses_a_truncated_jpeg_naming_it()
    {
        string jpeg = Path.Combine(_root, "photo.jpg");
        File.WriteAllBytes(jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0]);
        var run = CliHarness.Run("predict", _model, "--input", jpeg);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains($"'{jpeg}' is not an image", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_names_a_directory_as_a_directory()
    {
        var run = CliHarness.Run("predict", _model, "--input", _root);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("is a directory", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_refuses_an_image_of_another_size_from_its_header_before_decoding_it()
    {
        // 4096×4096 16-bit: decoding would take 96 MB; the header alone says it is not 28×28.
        string bomb = Path.Combine(_root, "bomb.png");
        File.WriteAllBytes(bomb, TestPng.Bomb(4096, 4096));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var run = CliHarness.Run("predict", _model, "--input", bomb);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains($"'{bomb}' is a 4096×4096 image, but model 'mlp-bn' takes 28×28 images (inputs of shape (28, 28))", run.Stderr, StringComparison.Ordinal);
        Assert.True(allocated < 32 << 20, $"predict allocated {allocated} bytes before refusing the image");

        string small = Path.Combine(_root, "small-idx3-ubyte");
        Idx.Write(small, new byte[3 * 10 * 10], 3, 10, 10);
        run = CliHarness.Run("predict", _model, "--input", small);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("holds images of 10×10 (100 pixels)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_max_memory_refuses_the_model_or_the_data_in_one_line_that_names_the_option()
    {
        var run = CliHarness.Run("summary", _model, "--max-memory", "1MB");
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("model.safetensors (1.0 MB, read and then copied into the model) would need 2.1 MB, more than the memory budget of 1.0 MB; raise it with --max-memory.",
            run.Stderr, StringComparison.Ordinal);

        // Each read is checked on its own: 4 MB holds the model (twice its 1 MB), not 2000 test images (6 MB as floats).
        string large = Path.Combine(_root, "large-test-set");
        Directory.CreateDirectory(large);
        CliHarness.WriteTinyFashionMnist(large, 10, 2000);
        run = CliHarness.Run("evaluate", _model, "--data", large, "--max-memory", "4MB");
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("t10k-images-idx3-ubyte' (2000, 28, 28)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise it with --max-memory", run.Stderr, StringComparison.Ordinal);

        run = CliHarness.Run("train", "--data", _data, "--max-memory", "300KB");
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("train-images-idx3-ubyte' (200, 28, 28)", run.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, CliHarness.Run("evaluate", _model, "--data", _data, "--max-memory", "64MB").ExitCode);
    }

    [Fact]
    public void Evaluate_reads_only_the_test_files()
    {
        string testOnly = Path.Combine(_root, "test-only");
        Directory.CreateDirectory(testOnly);
        foreach (string file in Directory.GetFiles(_data, "t10k-*"))
            File.Copy(file, Path.Combine(testOnly, Path.GetFileName(file)));
        var evaluate = CliHarness.Run("evaluate", _model, "--data", testOnly);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Contains("(50 samples from", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_reports_what_train_reported()
    {
        var train = CliHarness.Run("train", "--data", _data, "--epochs", "1", "--batch-size", "16");
        var evaluate = CliHarness.Run("evaluate", _model, "--data", _data);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        string Accuracy(string text) => AccuracyPattern().Match(text).Groups["a"].Value;
        Assert.NotEqual("", Accuracy(evaluate.Stdout));
        Assert.Equal(Accuracy(train.Stdout), Accuracy(evaluate.Stdout));
        Assert.Contains("(50 samples from", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_classifies_an_idx_file_and_a_png()
    {
        string idx = Path.Combine(_data, "t10k-images-idx3-ubyte");
        var run = CliHarness.Run("predict", _model, "--input", idx, "--limit", "2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Matches(@"^image 0: [A-Za-z/ -]+ \d+\.\d% \(", run.Stdout);
        Assert.Contains("… 48 more", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("50 images from", run.Stdout, StringComparison.Ordinal);

        // The first test image as a PNG gives the same answer as from the IDX file.
        string png = Path.Combine(_root, "first.png");
        File.WriteAllBytes(png, TestPng.Grey(28, 28, Idx.Read(idx).Span[..(28 * 28)]));
        var single = CliHarness.Run("predict", _model, "--input", png, "--top", "1");
        Assert.True(single.ExitCode == 0, single.Stderr);
        string FirstLine(string s) => s.Split('\n')[0];
        Assert.Equal(FirstLine(run.Stdout).Split(" (")[0], FirstLine(single.Stdout));
    }

    [Fact]
    public void Fold_reports_the_check_and_the_speedup_and_saves_a_model_without_batch_normalization()
    {
        string folded = Path.Combine(_root, "folded.safetensors");
        var run = CliHarness.Run("fold", _model, "--output", folded, "--rounds", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Folded 3 of 3 BatchNormalization layers; 4 layers remain (from 7).", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"samples/s → folded [\d,]+ samples/s \(\d+\.\d\d×, the rounds' middle half (\d+\.\d\d)–\1×; too few rounds to judge the noise\)", run.Stdout);
        // With several rounds the median speed-up lies inside the rounds' middle half.
        run = CliHarness.Run("fold", _model, "--output", folded, "--rounds", "7");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var m = Regex.Match(run.Stdout, @"\((\d+\.\d\d)×, the rounds' middle half (\d+\.\d\d)–(\d+\.\d\d)×");
        Assert.True(m.Success, run.Stdout);
        double median = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(median, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.Matches(@"batch_normalization\w* into dense\w*: predictions differ by at most", run.Stdout);
        Assert.DoesNotContain(Sequential.Load(folded).Layers, l => l is Strata.Layers.BatchNormalization);
    }

    [Fact]
    public void Recalibrate_sets_the_population_statistics_reports_the_test_set_and_saves_in_place()
    {
        string copy = Path.Combine(_root, "recalibrated.safetensors");
        File.Copy(_model, copy);
        var before = Sequential.Load(copy).Layers.OfType<Strata.Layers.BatchNormalization>().Select(l => l.MovingMean.Value.ToArray()).ToArray();
        var run = CliHarness.Run("recalibrate", copy, "--data", _data, "--batch-size", "64");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"Recalibrated 3 BatchNormalization layers on 200 samples of {_data}:", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"batch_normalization\w*: moving mean off by up to [\d.e+-]+ standard deviations, scale by up to [\d.e+-]+× \(200 values per feature\)", run.Stdout);
        Assert.Matches(@"Test set \(50 samples\): before accuracy [\d.]+, loss [\d.]+; after accuracy [\d.]+, loss [\d.]+", run.Stdout);
        var model = Sequential.Load(copy);
        Assert.NotNull(model.Optimizer); // saved as it came: with its optimizer, so training can resume
        var after = model.Layers.OfType<Strata.Layers.BatchNormalization>().Select(l => l.MovingMean.Value.ToArray()).ToArray();
        Assert.NotEqual(before[0], after[0]);

        // Again, to another file: nothing is left to change.
        string again = Path.Combine(_root, "again.safetensors");
        run = CliHarness.Run("recalibrate", copy, "--data", _data, "--output", again, "--samples", "500");
        Assert.True(run.ExitCode == 0, run.Stderr);
        foreach (Match shift in Regex.Matches(run.Stdout, @"off by up to ([\d.e+-]+) standard deviations"))
            Assert.True(double.Parse(shift.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 1e-4, run.Stdout);
        Assert.True(File.Exists(again));
    }

    [Fact]
    public void Diagnose_reads_the_run_folder_that_train_wrote()
    {
        string folder = Path.Combine(_root, "run");
        var csv = File.ReadAllLines(Path.Combine(folder, "gradients.csv"));
        Assert.Contains(",layer:dense", csv[0], StringComparison.Ordinal);
        Assert.Contains(",clipped:dense", csv[0], StringComparison.Ordinal);
        var run = CliHarness.Run("diagnose", folder);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"Gradient diagnosis of {csv.Length - 1} steps", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Clipping changed the gradients of 0.0% of the applied steps.", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Suggested globalClipNorm: [\d.e+-]+ \(the 10th percentile", run.Stdout);

        run = CliHarness.Run("diagnose", _data);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("has no gradients.csv", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_names_the_layer_that_spiked_in_a_gradient_file()
    {
        string file = Path.Combine(_root, "spiky.csv");
        var lines = new List<string> { "epoch,step,global,layer:steady,layer:spiky,clipped:steady,clipped:spiky" };
        for (int t = 1; t <= 30; t++)
        {
            string spiky = t == 25 ? "500" : "0.5";
            lines.Add($"1,{t},1,1,{spiky},1,{(t == 25 ? "1" : spiky)}");
        }
        File.WriteAllLines(file, lines);
        var run = CliHarness.Run("diagnose", file, "--percentile", "50");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("spiky: 1 spike(s), the largest 1E+03× its recent median (its median over the run: 0.5); worst at step(s) 25", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("steady:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Clipping changed the gradients of 3.3% of the applied steps.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Suggested globalClipNorm: 1 (the 50th percentile", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_resume_continues_to_the_same_model_as_an_uninterrupted_run()
    {
        string resumed = Path.Combine(_root, "resumed"), straight = Path.Combine(_root, "straight");
        var a = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16", "--resume", _model, "--output", resumed);
        Assert.True(a.ExitCode == 0, a.Stderr);
        Assert.Contains("Training from epoch 2 for 1 epoch", a.Stdout, StringComparison.Ordinal);
        var b = CliHarness.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "16", "--output", straight);
        Assert.True(b.ExitCode == 0, b.Stderr);
        // Layer names differ (in-process runs number them on), the values may not.
        var x = Sequential.Load(Path.Combine(straight, "model.safetensors"));
        var y = Sequential.Load(Path.Combine(resumed, "model.safetensors"));
        Assert.Equal(x.Optimizer!.Iterations, y.Optimizer!.Iterations);
        Assert.Equal(x.Layers.SelectMany(l => l.Weights).SelectMany(w => w.Value.ToArray()), y.Layers.SelectMany(l => l.Weights).SelectMany(w => w.Value.ToArray()));
    }

    [Fact]
    public void Bad_files_give_one_error_line()
    {
        string bogus = Path.Combine(_root, "bogus.safetensors");
        File.WriteAllBytes(bogus, [1, 2, 3]);
        string empty = Path.Combine(_root, "empty-idx3-ubyte");
        Idx.Write(empty, [], 0, 28, 28);
        foreach (string[] args in new[]
        {
            new[] { "predict", _model, "--input", empty },
            ["train", "--data", _data, "--epochs", "3", "--resume", _model, "--optimizer", "adam"],
            ["summary", bogus],
            ["evaluate", Path.Combine(_root, "missing.safetensors"), "--data", _data],
            ["predict", _model, "--input", _model],
            ["train", "--data", _data, "--epochs", "1", "--resume", _model],
        })
        {
            var run = CliHarness.Run(args);
            Assert.Equal(1, run.ExitCode);
            CliHarness.AssertOneErrorLine(run.Stderr);
        }
    }

    [GeneratedRegex(@"test accuracy (?<a>\d\.\d{4})")]
    private static partial Regex AccuracyPattern();
}
