using Strata.Kernels;

namespace Strata;

/// <summary>Mean over samples of the mean over outputs of |p − t|: the loss's own kernel, without its gradient.</summary>
internal sealed class MeanAbsoluteErrorMetric(string name) : Metric
{
    public override string Name => name;

    public override double Sum(Tensor predictions, Tensor targets)
    {
        var (n, c) = CheckShapes(predictions, targets);
        return n == 0 ? 0 : LossKernels.MeanAbsoluteError(predictions.Span, targets.Span, n, c, []);
    }

    private protected override bool Fits(ReadOnlySpan<int> predictions, Shape targets) => TargetShape.FitsElementwise(predictions, targets.Dims);

    private protected override string Expected(Shape predictions) => TargetShape.DescribeElementwise(predictions);
}
