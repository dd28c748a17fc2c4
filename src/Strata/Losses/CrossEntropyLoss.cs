using Strata.Kernels;

namespace Strata;

/// <summary>
/// Categorical cross-entropy −Σⱼ tⱼ log pⱼ, with target rows [n, c] (one-hot or soft) or, sparse, class indices [n].
/// Fused with a softmax output it is computed from the logits; otherwise from probabilities clipped as Keras clips them.
/// </summary>
internal sealed class CrossEntropyLoss(string name, bool sparse) : Loss
{
    /// <summary>Keras's backend epsilon, the clip applied to probabilities.</summary>
    private const float Epsilon = 1e-7f;

    public override string Name => name;
    public override bool SparseTargets => sparse;
    internal override bool FusesWith(ActivationFunction activation) => activation.IsSoftmax;

    private protected override bool OneDistributionPerSample => true;

    internal override (int Classes, float Threshold)? ClassesOf(Shape sample) =>
        sample.Rank == 1 && sample[0] >= 2 ? (sample[0], 0.5f) : null;

    protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        => LossKernels.CrossEntropyFromProbabilities(predictions, targets, sparse, n, c, Epsilon, dPredictions);

    private protected override double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits) => sparse
        ? LossKernels.SparseSoftmaxCrossEntropy(logits, probabilities, targets, n, c, dLogits)
        : LossKernels.SoftmaxCrossEntropy(logits, probabilities, targets, n, c, dLogits);
}
