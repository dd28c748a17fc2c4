using System.Globalization;
using Strata.Kernels;

namespace Strata;

/// <summary>
/// Keras's Huber loss on e = p − t: ½e² where |e| ≤ <see cref="Delta"/>, δ(|e| − ½δ) beyond; the mean over outputs,
/// then over samples. Quadratic like MSE near the target and linear like MAE in the tails, so an outlier's pull is
/// bounded by δ. Made by <see cref="Losses.Huber"/>.
/// </summary>
public sealed class HuberLoss : Loss
{
    internal HuberLoss(float delta)
    {
        if (!(float.IsFinite(delta) && delta > 0))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Loss 'huber': delta must be a positive finite number.");
        Delta = delta;
    }

    /// <summary>δ, where the loss turns from quadratic to linear (Keras's default 1.0).</summary>
    public float Delta { get; }

    public override string Name => "huber";

    private protected override bool Elementwise => true;

    protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        => LossKernels.Huber(predictions, targets, n, c, Delta, dPredictions);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"huber(delta={Delta})");
}
