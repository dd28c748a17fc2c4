using Strata.Kernels;

namespace Strata;

/// <summary>Mean over outputs of (p − t)², then over samples; [n] targets for an [n, 1] output as Keras takes them.</summary>
internal sealed class MeanSquaredErrorLoss : Loss
{
    public override string Name => "mean_squared_error";

    private protected override bool Elementwise => true;

    protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        => LossKernels.MeanSquaredError(predictions, targets, n, c, dPredictions);
}
