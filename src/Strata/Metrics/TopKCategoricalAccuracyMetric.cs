using System.Globalization;
using Strata.Kernels;

namespace Strata;

/// <summary>
/// Keras's top_k_categorical_accuracy (one-hot target rows [n, c], the true class their argmax) and
/// sparse_top_k_categorical_accuracy (class indices [n]): the fraction of samples whose true class is among the
/// <see cref="K"/> highest predictions, ties at the k-th place counting as in. Predictions are (n, classes). Made by
/// <see cref="Metrics.TopKCategoricalAccuracy"/> and <see cref="Metrics.SparseTopKCategoricalAccuracy"/>.
/// </summary>
public sealed class TopKCategoricalAccuracyMetric : Metric
{
    internal TopKCategoricalAccuracyMetric(int k, bool sparse)
    {
        Sparse = sparse;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        K = k;
    }

    /// <summary>How many of the highest predictions may hold the true class (Keras's default 5).</summary>
    public int K { get; }

    /// <summary>Whether targets are class indices [n] rather than one-hot rows.</summary>
    public bool Sparse { get; }

    public override string Name => Sparse ? "sparse_top_k_categorical_accuracy" : "top_k_categorical_accuracy";

    public override double Sum(Tensor predictions, Tensor targets)
    {
        var (n, c) = CheckShapes(predictions, targets);
        return n == 0 ? 0 : MetricKernels.TopKHits(predictions.Span, targets.Span, Sparse, n, c, K);
    }

    private protected override bool Fits(ReadOnlySpan<int> predictions, Shape targets) =>
        predictions.Length == 2 && (Sparse ? TargetShape.IsClassIndices(predictions[0], targets) : predictions.SequenceEqual(targets.Dims));

    private protected override string Expected(Shape predictions) => predictions.Rank != 2
        ? "of an (n, classes) output, one distribution per sample, which this is not"
        : Sparse ? $"({predictions[0]},) class indices" : $"{predictions} one-hot rows";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}(k={K})");
}
