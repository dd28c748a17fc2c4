using Strata.Kernels;

namespace Strata;

/// <summary>The losses Keras offers for classification and regression, by the same names.</summary>
public static class Losses
{
    /// <summary>−log p_y with integer labels [n]. Fused with a softmax output, computed from the logits.</summary>
    public static Loss SparseCategoricalCrossentropy { get; } = new CrossEntropy("sparse_categorical_crossentropy", sparse: true);

    /// <summary>−Σⱼ tⱼ log pⱼ with target rows [n, c] (one-hot or soft).</summary>
    public static Loss CategoricalCrossentropy { get; } = new CrossEntropy("categorical_crossentropy", sparse: false);

    /// <summary>Mean over outputs of (p − t)², then over samples.</summary>
    public static Loss MeanSquaredError { get; } = new MeanSquaredErrorLoss();

    /// <summary>Looks a loss up by its Keras name.</summary>
    public static Loss Get(string name) => name switch
    {
        "sparse_categorical_crossentropy" => SparseCategoricalCrossentropy,
        "categorical_crossentropy" => CategoricalCrossentropy,
        "mean_squared_error" or "mse" => MeanSquaredError,
        _ => throw new ArgumentException(
            $"Unknown loss '{name}'. Known: sparse_categorical_crossentropy, categorical_crossentropy, mean_squared_error.", nameof(name)),
    };

    private sealed class CrossEntropy(string name, bool sparse) : Loss
    {
        /// <summary>Keras's backend epsilon, the clip applied to probabilities.</summary>
        private const float Epsilon = 1e-7f;

        public override string Name => name;
        public override bool SparseTargets => sparse;
        internal override bool FusesWithSoftmax => true;

        private protected override bool OneDistributionPerSample => true;

        protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
            => LossKernels.CrossEntropyFromProbabilities(predictions, targets, sparse, n, c, Epsilon, dPredictions);

        private protected override double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
            ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits) => sparse
            ? LossKernels.SparseSoftmaxCrossEntropy(logits, probabilities, targets, n, c, dLogits)
            : LossKernels.SoftmaxCrossEntropy(logits, probabilities, targets, n, c, dLogits);
    }

    private sealed class MeanSquaredErrorLoss : Loss
    {
        public override string Name => "mean_squared_error";

        protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
            => LossKernels.MeanSquaredError(predictions, targets, n, c, dPredictions);
    }
}
