namespace Strata;

/// <summary>What <see cref="Sequential.Fit"/> records: per-epoch loss and metrics (Keras's <c>history.history</c>).</summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = [];

    /// <summary>Per-epoch values by key: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>The values of one key, one per epoch.</summary>
    public IReadOnlyList<double> this[string key] =>
        _values.TryGetValue(key, out var list) ? list
        : throw new KeyNotFoundException($"History has no '{key}'; it has: {string.Join(", ", _values.Keys)}.");

    /// <summary>Number of epochs completed.</summary>
    public int Epochs { get; private set; }

    /// <summary>Training steps skipped because the loss or a gradient was not finite (the weights were left as they were).</summary>
    public long SkippedSteps { get; internal set; }

    internal void AddEpoch(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
            list.Add(value);
        }
        Epochs++;
    }
}
