using System.Text.Json.Nodes;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Serialization;

/// <summary>Losses and metrics, with their settings, in a saved model's training config.</summary>
public sealed class LossConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-loss-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Saved(Loss loss, Metric[] metrics)
    {
        var model = new Sequential(new Dense(3, inputShape: [4], name: "out")) { Seed = 1 };
        model.Compile(new Sgd(), loss, metrics);
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.strata");
        model.Save(path);
        return path;
    }

    public static TheoryData<Loss, Metric[]> Compiled() => new()
    {
        { Losses.BinaryCrossentropy(fromLogits: true), [Metrics.BinaryAccuracy(0f), Metrics.Get("mae")] },
        { Losses.BinaryCrossentropy(), [Metrics.Accuracy, Metrics.BinaryAccuracy(), Metrics.MeanAbsoluteError] },
        { Losses.Huber(2.5f), [Metrics.TopKCategoricalAccuracy(3), Metrics.SparseTopKCategoricalAccuracy(2)] },
        { Losses.Huber(), [Metrics.TopKCategoricalAccuracy()] },
        { Losses.MeanAbsoluteError, [] },
        { Losses.Get("mse"), [Metrics.Get("mean_absolute_error")] },
    };

    [Theory]
    [MemberData(nameof(Compiled))]
    public void Every_loss_and_metric_round_trips_with_its_settings(Loss loss, Metric[] metrics)
    {
        var loaded = Sequential.Load(Saved(loss, metrics));
        Assert.Equal(loss.GetType(), loaded.Loss!.GetType());
        Assert.Equal(loss.ToString(), loaded.Loss.ToString()); // names the settings: huber(delta=2.5), binary_crossentropy(from_logits=True)
        Assert.Equal(metrics.Select(m => (m.GetType(), m.ToString())), loaded.CompiledMetrics.Select(m => (m.GetType(), m.ToString())));
        switch (loaded.Loss)
        {
            case BinaryCrossentropyLoss bce: Assert.Equal(((BinaryCrossentropyLoss)loss).FromLogits, bce.FromLogits); break;
            case HuberLoss huber: Assert.Equal(((HuberLoss)loss).Delta, huber.Delta); break;
        }
    }

    [Fact]
    public void Bad_loss_and_metric_settings_are_refused_naming_them()
    {
        byte[] bytes = File.ReadAllBytes(Saved(Losses.Huber(), [Metrics.TopKCategoricalAccuracy()]));
        string Refused(Action<JsonObject> edit)
        {
            string path = Path.Combine(_dir, "hostile.strata");
            File.WriteAllBytes(path, TestModelFile.EditHeader(bytes, h => TestModelFile.EditConfig(h, edit, "training_config")));
            return Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message;
        }
        Assert.Contains("delta must be a positive", Refused(c => c["loss"]!["config"]!["delta"] = -1), StringComparison.Ordinal);
        Assert.Contains("'delta' must be a finite number", Refused(c => c["loss"]!["config"]!["delta"] = "big"), StringComparison.Ordinal);
        Assert.Contains("unknown setting 'reduction'", Refused(c => c["loss"]!["config"]!["reduction"] = "sum"), StringComparison.Ordinal);
        Assert.Contains("('Evil'", Refused(c => c["loss"]!["class_name"] = "Evil"), StringComparison.Ordinal);
        Assert.Contains("Unknown loss 'evil_loss'", Refused(c => c["loss"] = "evil_loss"), StringComparison.Ordinal);
        Assert.Contains("'k' must be an integer in [1,", Refused(c => c["metrics"]![0]!["config"]!["k"] = 0), StringComparison.Ordinal);
        Assert.Contains("'metrics' must hold names", Refused(c => c["metrics"]![0] = 5), StringComparison.Ordinal);
        Assert.Contains("Unknown metric 'top_5'", Refused(c => c["metrics"]![0] = "top_5"), StringComparison.Ordinal);
    }
}
