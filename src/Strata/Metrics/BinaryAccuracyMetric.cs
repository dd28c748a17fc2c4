using System.Globalization;
using Strata.Kernels;

namespace Strata;

/// <summary>
/// Keras's binary_accuracy: per output, whether (p &gt; <see cref="Threshold"/>) equals the 0/1 target; the mean over a
/// sample's outputs, then over samples. Targets as the elementwise losses take them ([n] for an [n, 1] output). Made by
/// <see cref="Metrics.BinaryAccuracy"/>. A model whose last layer is linear with
/// <c>Losses.BinaryCrossentropy(fromLogits: true)</c> outputs logits: use threshold 0 (Keras's "accuracy" keeps 0.5).
/// </summary>
public sealed class BinaryAccuracyMetric : Metric
{
    internal BinaryAccuracyMetric(float threshold)
    {
        if (!float.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "Metric 'binary_accuracy': the threshold must be finite.");
        Threshold = threshold;
    }

    /// <summary>Predictions above it count as 1.</summary>
    public float Threshold { get; }

    public override string Name => "binary_accuracy";

    public override double Sum(Tensor predictions, Tensor targets)
    {
        var (n, c) = CheckShapes(predictions, targets);
        return n == 0 ? 0 : MetricKernels.BinaryMatches(predictions.Span, targets.Span, c, Threshold);
    }

    private protected override bool Fits(ReadOnlySpan<int> predictions, Shape targets) => TargetShape.FitsElementwise(predictions, targets.Dims);

    private protected override string Expected(Shape predictions) => TargetShape.DescribeElementwise(predictions);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"binary_accuracy(threshold={Threshold})");
}
