using Strata.Kernels;

namespace Strata;

/// <summary>
/// Keras's "accuracy", resolved from the shapes as Keras resolves it: sparse categorical accuracy for class indices,
/// categorical accuracy for target rows, binary accuracy (threshold 0.5) for a single output.
/// </summary>
internal sealed class AccuracyMetric : Metric
{
    public override string Name => "accuracy";

    public override double Sum(Tensor predictions, Tensor targets)
    {
        var (n, c) = CheckShapes(predictions, targets);
        return n == 0 ? 0 : MetricKernels.CountCorrect(predictions.Span, targets.Span, n, c, threshold: 0.5f);
    }

    private protected override bool Fits(ReadOnlySpan<int> predictions, Shape targets) =>
        TargetShape.IsClassIndices(predictions[0], targets) || TargetShape.FitsElementwise(predictions, targets.Dims);

    private protected override string Expected(Shape predictions) => $"({predictions[0]},) class indices or {TargetShape.DescribeElementwise(predictions)}";
}
