using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Strata.Data;
using Strata.Tests.Data;

namespace Strata.Tests.Cli;

/// <summary>
/// <c>strata train</c>, <c>evaluate</c> and <c>predict</c> on a user's own data, end to end: a CSV table with class
/// names, an image folder of PNG files, and a model from a JSON configuration.
/// </summary>
[Collection(nameof(Kernels.WorkerPoolSettings))] // trains on the process-wide worker pool
public sealed partial class OwnDataTests : IDisposable
{
    private static readonly string[] Species = ["setosa", "versicolor", "virginica"];
    private readonly string _root = Directory.CreateTempSubdirectory("strata-own-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// An iris-like table: three species, four measurements in centimetres around each species' means (Fisher's iris
    /// means), sorted by species as such files often are; the label column sits between the features.
    /// </summary>
    private string WriteFlowers(string name, int perClass, int seed)
    {
        double[][] means = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]];
        var random = new Random(seed);
        var csv = new StringBuilder("sepal_length,sepal_width,species,petal_length,petal_width\n");
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                double[] v = [.. means[c].Select(m => m + 0.25 * Normal(random))];
                csv.Append(CultureInfo.InvariantCulture, $"{v[0]:F1},{v[1]:F1},{Species[c]},{v[2]:F1},{v[3]:F1}\n");
            }
        }
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void A_csv_table_trains_with_the_tabular_preset_and_predict_names_the_classes()
    {
        string data = WriteFlowers("flowers.csv", perClass: 60, seed: 1), test = WriteFlowers("flowers-test.csv", perClass: 20, seed: 2);
        string output = Path.Combine(_root, "run");
        var train = CliHarness.Run("train", "--data", data, "--label", "species", "--test", test, "--model", "tabular",
            "--epochs", "40", "--batch-size", "16", "--output", output);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("CSV from", train.Stdout, StringComparison.Ordinal);
        Assert.Contains("165 training, 15 validation, 60 test samples of shape (4,), 3 classes", train.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"normalization(_\d+)? \(Normali", train.Stdout); // names count up across models; Keras wraps the type
        // Three well-separated species: a Keras user expects an MLP to classify almost all of them.
        double accuracy = double.Parse(TestAccuracy().Match(train.Stdout).Groups["a"].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.9, train.Stdout);

        string model = Path.Combine(output, "model.safetensors");
        var predict = CliHarness.Run("predict", model, "--input", test, "--label", "species", "--limit", "1");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        Assert.Matches(@"^sample 0: setosa \d+\.\d%", predict.Stdout);
        Assert.Contains("60 samples from", predict.Stdout, StringComparison.Ordinal);
        var evaluate = CliHarness.Run("evaluate", model, "--data", test, "--label", "species");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Contains("confusion matrix", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains("virginica", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_with_numeric_labels_trains_a_regression()
    {
        var random = new Random(3);
        var csv = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 200; i++)
        {
            double a = random.NextDouble(), b = random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{3 * a - 2 * b + 1:F4}\n");
        }
        string data = Path.Combine(_root, "line.csv");
        File.WriteAllText(data, csv.ToString());
        var run = CliHarness.Run("train", "--data", data, "--label", "y", "--model", "tabular", "--epochs", "30", "--batch-size", "16");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("numeric targets", run.Stdout, StringComparison.Ordinal);
        double mae = double.Parse(Regex.Match(run.Stdout, @"validation mae (?<m>\d+\.\d+)").Groups["m"].Value, CultureInfo.InvariantCulture);
        Assert.True(mae < 0.2, run.Stdout);
    }

    [Fact]
    public void A_csv_without_label_or_with_a_bad_cell_is_refused_with_one_line()
    {
        string data = WriteFlowers("flowers.csv", perClass: 5, seed: 1);
        var run = CliHarness.Run("train", "--data", data);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("--label COLUMN", run.Stderr, StringComparison.Ordinal);
        File.WriteAllText(data, File.ReadAllText(data).Replace("setosa,1.", "setosa,abc", StringComparison.Ordinal));
        run = CliHarness.Run("train", "--data", data, "--label", "species");
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Matches(@"line \d+, column 4 \('petal_length'\)", run.Stderr);
    }

    [Fact]
    public void An_image_folder_of_pngs_trains_the_cnn_and_predict_names_its_classes()
    {
        // Fashion-MNIST-like images written as PNG files into one folder per class, for train/ and test/.
        string fashion = Path.Combine(_root, "idx");
        Directory.CreateDirectory(fashion);
        CliHarness.WriteTinyFashionMnist(fashion, trainCount: 100, testCount: 30);
        string folder = Path.Combine(_root, "images");
        WriteImageFolder(Path.Combine(fashion, "train-images-idx3-ubyte"), Path.Combine(fashion, "train-labels-idx1-ubyte"), Path.Combine(folder, "train"));
        WriteImageFolder(Path.Combine(fashion, "t10k-images-idx3-ubyte"), Path.Combine(fashion, "t10k-labels-idx1-ubyte"), Path.Combine(folder, "test"));

        string output = Path.Combine(_root, "cnn");
        var train = CliHarness.Run("train", "--data", folder, "--color-mode", "grayscale", "--model", "cnn-bn", "--epochs", "2",
            "--batch-size", "10", "--validation", "10", "--output", output);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("image folder from", train.Stdout, StringComparison.Ordinal);
        Assert.Contains("90 training, 10 validation, 30 test samples of shape (28, 28, 1), 10 classes", train.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"test accuracy \d\.\d{4}", train.Stdout);
        // The folder is read class by class; shuffled before the split, the validation samples are not all of the last
        // class (which training would then never see, scoring 0).
        Assert.DoesNotContain("val_accuracy 0.0000", train.Stdout, StringComparison.Ordinal);

        string png = Directory.GetFiles(Path.Combine(folder, "test", "class-3"))[0];
        var predict = CliHarness.Run("predict", Path.Combine(output, "model.safetensors"), "--input", png);
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        Assert.Matches(@"^image 0: class-\d \d+\.\d%", predict.Stdout);
    }

    [Fact]
    public void A_config_copied_out_of_a_saved_model_trains_the_same_network()
    {
        string fashion = Path.Combine(_root, "fashion");
        Directory.CreateDirectory(fashion);
        CliHarness.WriteTinyFashionMnist(fashion, trainCount: 60, testCount: 20);
        string first = Path.Combine(_root, "first");
        Assert.Equal(0, CliHarness.Run("train", "--data", fashion, "--model", "mlp", "--epochs", "1", "--output", first).ExitCode);
        string config = Path.Combine(_root, "mlp.json");
        File.WriteAllText(config, Sequential.Load(Path.Combine(first, "model.safetensors")).ToConfig());

        var fromFile = CliHarness.Run("train", "--data", fashion, "--model", config, "--optimizer", "sgd", "--learning-rate", "0.01", "--epochs", "1");
        var preset = CliHarness.Run("train", "--data", fashion, "--model", "mlp", "--epochs", "1");
        Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);
        Assert.Equal(TestAccuracy().Match(preset.Stdout).Value, TestAccuracy().Match(fromFile.Stdout).Value);
        Assert.Contains("Total params: 266,610", fromFile.Stdout, StringComparison.Ordinal);

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"units\":300", "\"units\":\"many\"", StringComparison.Ordinal));
        var bad = CliHarness.Run("train", "--data", fashion, "--model", config, "--epochs", "1");
        Assert.Equal(1, bad.ExitCode);
        CliHarness.AssertOneErrorLine(bad.Stderr);
        Assert.Matches(@"layer 'dense(_\d+)?' \(Dense\) 'units' must be an integer", bad.Stderr);
    }

    /// <summary>Each image of an IDX pair as <c>{folder}/class-{label}/{n}.png</c>.</summary>
    private static void WriteImageFolder(string images, string labels, string folder)
    {
        var x = Idx.Read(images);
        var y = Idx.Read(labels);
        int side = x.Shape[1];
        for (int n = 0; n < y.Length; n++)
        {
            string classFolder = Path.Combine(folder, $"class-{(int)y[n]}");
            Directory.CreateDirectory(classFolder);
            var pixels = x.Span.Slice(n * side * side, side * side);
            File.WriteAllBytes(Path.Combine(classFolder, $"{n}.png"), TestPng.Grey(side, side, pixels));
        }
    }

    [GeneratedRegex(@"test accuracy (?<a>\d\.\d{4})")]
    private static partial Regex TestAccuracy();
}
