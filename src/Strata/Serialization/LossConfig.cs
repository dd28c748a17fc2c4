using System.Text.Json;

namespace Strata.Serialization;

/// <summary>
/// The loss and metrics of a training configuration. One without settings is its Keras name (<c>"mse"</c> is written
/// <c>"mean_squared_error"</c>); one with settings is Keras's configured object, always with every setting so that it
/// reads back the same: <c>{"class_name": "BinaryCrossentropy", "config": {"from_logits": true}}</c>,
/// <c>{"class_name": "Huber", "config": {"delta": 1.0}}</c>, <c>BinaryAccuracy</c> {threshold},
/// <c>TopKCategoricalAccuracy</c> and <c>SparseTopKCategoricalAccuracy</c> {k}. Reading takes either form.
/// </summary>
internal static class LossConfig
{
    public static void WriteLoss(Utf8JsonWriter w, Loss loss)
    {
        switch (loss)
        {
            case BinaryCrossentropyLoss bce:
                ConfigReader.WriteClass(w, "loss", "BinaryCrossentropy", c => c.WriteBoolean("from_logits", bce.FromLogits));
                break;
            case HuberLoss huber:
                ConfigReader.WriteClass(w, "loss", "Huber", c => ConfigReader.WriteFloat(c, "delta", huber.Delta));
                break;
            default:
                w.WriteString("loss", loss.Name);
                break;
        }
    }

    public static Loss ReadLoss(ConfigReader c)
    {
        var element = c.Element("loss");
        if (element.ValueKind == JsonValueKind.String) return Named(c, "loss", element.GetString()!, Losses.Get);
        var (type, config, outer) = ConfigReader.Class(element, $"{c.Context}, 'loss'");
        Loss loss = Settings<Loss>(config, type, () => type switch
        {
            "BinaryCrossentropy" => Losses.BinaryCrossentropy(config.Bool("from_logits")),
            "Huber" => Losses.Huber(config.Float("delta")),
            _ => throw outer.Bad($"names a loss Strata does not know ('{type}'; known: BinaryCrossentropy, Huber, or a loss's name)"),
        });
        config.Done();
        return loss;
    }

    /// <summary>Writes one item of the metrics array.</summary>
    public static void WriteMetric(Utf8JsonWriter w, Metric metric)
    {
        switch (metric)
        {
            case BinaryAccuracyMetric binary:
                ConfigReader.WriteClass(w, null, "BinaryAccuracy", c => ConfigReader.WriteFloat(c, "threshold", binary.Threshold));
                break;
            case TopKCategoricalAccuracyMetric topK:
                ConfigReader.WriteClass(w, null, topK.Sparse ? "SparseTopKCategoricalAccuracy" : "TopKCategoricalAccuracy", c => c.WriteNumber("k", topK.K));
                break;
            default:
                w.WriteStringValue(metric.Name);
                break;
        }
    }

    /// <summary>Reads one item of the metrics array of <paramref name="c"/>.</summary>
    public static Metric ReadMetric(ConfigReader c, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String) return Named(c, "metrics", element.GetString()!, Metrics.Get);
        if (element.ValueKind != JsonValueKind.Object) throw c.Bad("'metrics' must hold names or {\"class_name\", \"config\"} objects");
        var (type, config, outer) = ConfigReader.Class(element, $"{c.Context}, 'metrics'");
        Metric metric = Settings<Metric>(config, type, () => type switch
        {
            "BinaryAccuracy" => Metrics.BinaryAccuracy(config.Float("threshold")),
            "TopKCategoricalAccuracy" => Metrics.TopKCategoricalAccuracy(config.Int("k", 1)),
            "SparseTopKCategoricalAccuracy" => Metrics.SparseTopKCategoricalAccuracy(config.Int("k", 1)),
            _ => throw outer.Bad($"names a metric Strata does not know ('{type}'; known: BinaryAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, or a metric's name)"),
        });
        config.Done();
        return metric;
    }

    private static T Named<T>(ConfigReader c, string key, string name, Func<string, T> get)
    {
        try { return get(name); }
        catch (ArgumentException e) { throw c.Bad($"'{key}': {e.Message}"); }
    }

    private static T Settings<T>(ConfigReader config, string type, Func<T> make)
    {
        try { return make(); }
        catch (ArgumentException e) { throw config.Bad($"has settings {type} refuses: {e.Message}"); }
    }
}
