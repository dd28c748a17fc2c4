using System.Globalization;
using System.Text;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Data.Files.Tests.Csv;

/// <summary>A CSV file read by <see cref="CsvDataset"/> trains a Strata model as it is: shapes, labels and class count fit.</summary>
public sealed class CsvTrainingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Rows of two features and a label computed from them by <paramref name="label"/>, seeded.</summary>
    private string WriteTable(string name, int rows, Func<float, float, string> label)
    {
        var random = new Random(3);
        var text = new StringBuilder("x1,x2,target\n");
        for (int i = 0; i < rows; i++)
        {
            float a = (float)(random.NextDouble() * 4 - 2), b = (float)(random.NextDouble() * 4 - 2);
            text.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{label(a, b)}\n");
        }
        return _folder.Write(name, text.ToString());
    }

    [Fact]
    public void Classes_TrainASoftmaxClassifier()
    {
        // Three classes by region: left, upper right, lower right; separable by two lines.
        string path = WriteTable("regions.csv", 240, (a, b) => a < 0 ? "left" : b > 0 ? "upper" : "lower");
        CsvData data = CsvDataset.Load(path, "target");
        var classes = data.Dataset.ClassNames!;
        Assert.Equal(["left", "lower", "upper"], classes);

        var model = new Sequential(
            new Dense(16, activation: Activations.Relu, inputShape: [data.FeatureNames.Count]),
            new Dense(classes.Count, activation: Activations.Softmax)) { Seed = 1 };
        model.Compile(new Adam(learningRate: 0.02f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        model.Fit(data.Dataset.Images, data.Dataset.Labels, epochs: 40, batchSize: 16, seed: 1);

        var result = model.Evaluate(data.Dataset.Images, data.Dataset.Labels);
        Assert.True(result["accuracy"] > 0.9, $"accuracy {result["accuracy"]}");
    }

    [Fact]
    public void Numbers_TrainARegressionWithMeanSquaredError()
    {
        string path = WriteTable("line.csv", 200, (a, b) => (2 * a - b + 1).ToString("R", CultureInfo.InvariantCulture));
        CsvData data = CsvDataset.Load(path, "target");

        var model = new Sequential(new Dense(1, inputShape: [data.FeatureNames.Count])) { Seed = 1 };
        model.Compile(new Adam(learningRate: 0.05f), Losses.MeanSquaredError);
        float before = model.Evaluate(data.Dataset.Images, data.Dataset.Labels).Loss;
        model.Fit(data.Dataset.Images, data.Dataset.Labels, epochs: 60, batchSize: 16, seed: 1);

        float after = model.Evaluate(data.Dataset.Images, data.Dataset.Labels).Loss;
        Assert.True(after < 0.01f && after < before / 100, $"loss {before} → {after}");
    }
}
