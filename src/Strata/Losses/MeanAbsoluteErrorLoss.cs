using Strata.Kernels;

namespace Strata;

/// <summary>
/// Mean over outputs of |p − t|, then over samples (Keras's mean_absolute_error): less pulled by outliers than MSE, at
/// the price of a gradient of constant size that does not shrink near the target.
/// </summary>
internal sealed class MeanAbsoluteErrorLoss : Loss
{
    public override string Name => "mean_absolute_error";

    private protected override bool Elementwise => true;

    protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        => LossKernels.MeanAbsoluteError(predictions, targets, n, c, dPredictions);
}
