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
        var (n, c) = CheckShapes(predictions, targets);
        if (!dPredictions.IsEmpty && dPredictions.Length != predictions.Length)
            throw new ArgumentException($"Loss '{Name}': the gradient buffer holds {dPredictions.Length} values, predictions {predictions.Length}.");
        return n == 0 ? 0f : (float)(Sum(predictions.Span, targets.Span, n, c, dPredictions) / n);
    }

    /// <summary>True for the cross-entropies, which take softmax's logits directly (see <see cref="ComputeFromLogits"/>).</summary>
    internal virtual bool FusesWithSoftmax => false;

    /// <summary>Mean loss and dL/dz for an output p = softmax(z), computed from z for exactness.</summary>
    internal float ComputeFromLogits(Tensor logits, Tensor probabilities, Tensor targets, Span<float> dLogits)
    {
        var (n, c) = CheckShapes(probabilities, targets);
        return n == 0 ? 0f : (float)(SumFromLogits(logits.Span, probabilities.Span, targets.Span, n, c, dLogits) / n);
    }

    /// <summary>Sum over samples of the loss; gradient of the mean into dPredictions unless empty.</summary>
    protected abstract double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions);

    private protected virtual double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits) =>
        throw new NotSupportedException($"Loss '{Name}' does not fuse with softmax.");

    private (int N, int C) CheckShapes(Tensor predictions, Tensor targets)
    {
        int n = predictions.Shape.Rank == 0 ? 1 : predictions.Shape[0];
        int c = n == 0 ? 0 : predictions.Length / n;
        bool ok = SparseTargets
            ? targets.Length == n && targets.Shape.Rank >= 1 && targets.Shape[0] == n
            : targets.Shape == predictions.Shape;
        if (!ok)
        {
            string expected = SparseTargets ? $"({n},) class indices" : predictions.Shape.ToString();
            throw new ArgumentException($"Loss '{Name}': predictions {predictions.Shape} need targets {expected}; got {targets.Shape}.");
        }
        return (n, c);
    }

    /// <summary>Looks a loss up by its Keras name.</summary>
    public static implicit operator Loss(string name) => Losses.Get(name);

    public override string ToString() => Name;
}
