namespace Strata;

/// <summary>
/// A loss reduced as Keras's default <c>sum_over_batch_size</c>: the mean of the per-sample losses.
/// Predictions are [n, c]; targets are [n, c], or [n] class indices for the sparse cross-entropy.
/// </summary>
public abstract class Loss
{
    /// <summary>Keras's name (<c>sparse_categorical_crossentropy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Whether targets are class indices [n] rather than rows [n, c].</summary>
    public virtual bool SparseTargets => false;

    /// <summary>Returns the mean loss; when <paramref name="dPredictions"/> is not empty, writes dL/dPredictions there.</summary>
    public float Compute(Tensor predictions, Tensor targets, Span<float> dPredictions)
    {
        var (n, c) = CheckShapes(predictions.Shape, targets.Shape);
        if (!dPredictions.IsEmpty && dPredictions.Length != predictions.Length)
            throw new ArgumentException($"Loss '{Name}': the gradient buffer holds {dPredictions.Length} values, predictions {predictions.Length}.");
        return n == 0 ? 0f : (float)(Sum(predictions.Span, targets.Span, n, c, dPredictions) / n);
    }

    /// <summary>True for the cross-entropies, which take softmax's logits directly (see <see cref="ComputeFromLogits"/>).</summary>
    internal virtual bool FusesWithSoftmax => false;

    /// <summary>Mean loss and dL/dz for an output p = softmax(z), computed from z for exactness.</summary>
    internal float ComputeFromLogits(Tensor logits, Tensor probabilities, Tensor targets, Span<float> dLogits)
    {
        var (n, c) = CheckShapes(probabilities.Shape, targets.Shape);
        return n == 0 ? 0f : (float)(SumFromLogits(logits.Span, probabilities.Span, targets.Span, n, c, dLogits) / n);
    }

    /// <summary>Sum over samples of the loss; gradient of the mean into dPredictions unless empty.</summary>
    protected abstract double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions);

    private protected virtual double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits) =>
        throw new NotSupportedException($"Loss '{Name}' does not fuse with softmax.");

    /// <summary>
    /// Whether the loss reads each sample's predictions as one distribution over classes, so predictions must be
    /// (n, classes): a softmax over the last axis of (n, positions…, classes) is one distribution per position, and
    /// reading all of them as one would be a silently wrong loss.
    /// </summary>
    private protected virtual bool OneDistributionPerSample => false;

    /// <summary>
    /// The check of <see cref="CheckShapes"/> for a model's output, per-sample shape <paramref name="sample"/> for
    /// <paramref name="n"/> samples, without building the batch shape (a training step allocates nothing). The model
    /// calls it before a step, so a mismatch is refused before anything changes.
    /// </summary>
    internal void CheckOutput(Shape sample, int n, Shape targets)
    {
        bool ok = !(OneDistributionPerSample && sample.Rank > 1) && (SparseTargets
            ? targets.Size == n && targets.Rank >= 1 && targets[0] == n
            : SameBatchedShape(sample, n, targets));
        if (!ok) CheckShapes(sample.WithBatch(n), targets); // throws, naming both shapes
    }

    private static bool SameBatchedShape(Shape sample, int n, Shape targets)
    {
        if (targets.Rank != sample.Rank + 1 || targets[0] != n) return false;
        for (int d = 0; d < sample.Rank; d++)
        {
            if (targets[d + 1] != sample[d]) return false;
        }
        return true;
    }

    /// <summary>
    /// Checks that predictions of shape <paramref name="predictions"/> and targets of shape <paramref name="targets"/>
    /// fit this loss, naming both shapes if not; returns the samples n and values per sample c.
    /// </summary>
    internal (int N, int C) CheckShapes(Shape predictions, Shape targets)
    {
        if (OneDistributionPerSample && predictions.Rank > 2 && predictions[0] > 0)
        {
            throw new ArgumentException(
                $"Loss '{Name}': predictions {predictions} hold {predictions.Size / predictions[0] / Math.Max(predictions[^1], 1)} " +
                $"positions of {predictions[^1]} classes per sample, but it takes one distribution per sample, predictions " +
                $"(n, classes), with targets {targets}. Add Flatten or GlobalAveragePooling2D before the last Dense.");
        }
        int n = predictions.Rank == 0 ? 1 : predictions[0];
        int c = n == 0 ? 0 : predictions.Size / n;
        bool ok = SparseTargets
            ? targets.Size == n && targets.Rank >= 1 && targets[0] == n
            : targets == predictions;
        if (!ok)
        {
            string expected = SparseTargets ? $"({n},) class indices" : predictions.ToString();
            throw new ArgumentException($"Loss '{Name}': predictions {predictions} need targets {expected}; got {targets}.");
        }
        return (n, c);
    }

    /// <summary>Looks a loss up by its Keras name.</summary>
    public static implicit operator Loss(string name) => Losses.Get(name);

    public override string ToString() => Name;
}
