namespace Strata;

/// <summary>
/// A loss reduced as Keras's default <c>sum_over_batch_size</c>: the mean of the per-sample losses.
/// Predictions are [n, c]; targets are [n, c], or [n] class indices for the sparse cross-entropy; the elementwise
/// losses also take [n] targets for an [n, 1] output, as Keras does (<see cref="TargetShape"/>).
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

    /// <summary>
    /// Whether the loss takes the pre-activation values of an output with <paramref name="activation"/> directly: the
    /// cross-entropies with softmax, binary cross-entropy with sigmoid (see <see cref="ComputeFromLogits"/>).
    /// </summary>
    internal virtual bool FusesWith(ActivationFunction activation) => false;

    /// <summary>
    /// Mean loss and dL/dz for an output p = φ(z) this loss fuses with (<see cref="FusesWith"/>), computed from z for
    /// exactness: dL/dz never divides by a probability that underflowed to 0 or rounded to 1.
    /// </summary>
    internal float ComputeFromLogits(Tensor logits, Tensor probabilities, Tensor targets, Span<float> dLogits)
    {
        var (n, c) = CheckShapes(probabilities.Shape, targets.Shape);
        return n == 0 ? 0f : (float)(SumFromLogits(logits.Span, probabilities.Span, targets.Span, n, c, dLogits) / n);
    }

    /// <summary>Sum over samples of the loss; gradient of the mean into dPredictions unless empty.</summary>
    protected abstract double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions);

    private protected virtual double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits) =>
        throw new NotSupportedException($"Loss '{Name}' does not fuse with an activation.");

    /// <summary>
    /// Whether the loss reads each sample's predictions as one distribution over classes, so predictions must be
    /// (n, classes): a softmax over the last axis of (n, positions…, classes) is one distribution per position, and
    /// reading all of them as one would be a silently wrong loss.
    /// </summary>
    private protected virtual bool OneDistributionPerSample => false;

    /// <summary>
    /// Whether the loss is a mean over elements, and so takes Keras's squeezed targets: (n,) for an (n, 1) output
    /// (<see cref="TargetShape.FitsElementwise"/>).
    /// </summary>
    private protected virtual bool Elementwise => false;

    /// <summary>
    /// For a classifier's loss, the classes of an output of per-sample shape <paramref name="sample"/> and the
    /// threshold that makes a single output a class (0.5 on a probability, 0 on a logit); null for regression or
    /// outputs that are not one class per sample. <see cref="Model.Evaluate(Tensor, Tensor, int)"/> uses it for the confusion matrix.
    /// </summary>
    internal virtual (int Classes, float Threshold)? ClassesOf(Shape sample) => null;

    /// <summary>
    /// The check of <see cref="CheckShapes"/> for a model's output, per-sample shape <paramref name="sample"/> for
    /// <paramref name="n"/> samples, without building the batch shape (a training step allocates nothing). The model
    /// calls it before a step, so a mismatch is refused before anything changes.
    /// </summary>
    internal void CheckOutput(Shape sample, int n, Shape targets)
    {
        Span<int> dims = stackalloc int[sample.Rank + 1];
        bool ok = !(OneDistributionPerSample && sample.Rank > 1) && Fits(TargetShape.Batched(sample, n, dims), targets);
        if (!ok) CheckShapes(sample.WithBatch(n), targets); // throws, naming both shapes
    }

    private bool Fits(ReadOnlySpan<int> predictions, Shape targets) =>
        SparseTargets ? TargetShape.IsClassIndices(predictions.IsEmpty ? 1 : predictions[0], targets)
        : Elementwise ? TargetShape.FitsElementwise(predictions, targets.Dims)
        : predictions.SequenceEqual(targets.Dims);

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
        if (!Fits(predictions.Dims, targets))
        {
            string expected = SparseTargets ? $"({n},) class indices"
                : Elementwise ? TargetShape.DescribeElementwise(predictions)
                : predictions.ToString();
            throw new ArgumentException($"Loss '{Name}': predictions {predictions} need targets {expected}; got {targets}.");
        }
        return (n, c);
    }

    /// <summary>Looks a loss up by its Keras name.</summary>
    public static implicit operator Loss(string name) => Losses.Get(name);

    public override string ToString() => Name;
}
