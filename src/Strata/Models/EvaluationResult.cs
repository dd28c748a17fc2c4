namespace Strata;

/// <summary>The mean loss and metrics of <see cref="Sequential.Evaluate"/>.</summary>
public sealed class EvaluationResult(float loss, IReadOnlyDictionary<string, double> metrics)
{
    /// <summary>Mean loss over all samples.</summary>
    public float Loss => loss;

    /// <summary>Each metric averaged over all samples.</summary>
    public IReadOnlyDictionary<string, double> Metrics => metrics;

    /// <summary>One metric by name (<c>accuracy</c>).</summary>
    public double this[string metric] => metrics.TryGetValue(metric, out double v) ? v
        : throw new KeyNotFoundException($"No metric '{metric}'; compiled metrics: {string.Join(", ", metrics.Keys)}.");

    public override string ToString() =>
        $"loss {loss:F4}" + string.Concat(metrics.Select(m => $", {m.Key} {m.Value:F4}"));
}
