namespace Strata;

/// <summary>A metric averaged over samples: each call returns the SUM over a batch, the model divides by the count.</summary>
public abstract class Metric
{
    /// <summary>Keras's name, the key in <see cref="History"/> (<c>accuracy</c>, <c>val_accuracy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The metric summed over the batch's samples.</summary>
    public abstract double Sum(Tensor predictions, Tensor targets);

    /// <summary>
    /// Whether targets of shape <paramref name="targets"/> fit predictions of shape <paramref name="predictions"/>
    /// (batch axis included); a metric of Strata's own says, one defined elsewhere accepts anything.
    /// </summary>
    private protected virtual bool Fits(ReadOnlySpan<int> predictions, Shape targets) => true;

    /// <summary>The targets this metric takes for <paramref name="predictions"/>, for messages.</summary>
    private protected virtual string Expected(Shape predictions) => predictions.ToString();

    /// <summary>
    /// The model's check before a step, output per-sample shape <paramref name="sample"/> for <paramref name="n"/>
    /// samples, allocating nothing unless it throws: a metric that cannot read the targets is refused before anything
    /// changes, naming both shapes.
    /// </summary>
    internal void CheckOutput(Shape sample, int n, Shape targets)
    {
        Span<int> dims = stackalloc int[sample.Rank + 1];
        if (!Fits(TargetShape.Batched(sample, n, dims), targets)) throw Mismatch(sample.WithBatch(n), targets);
    }

    /// <summary>Refuses predictions and targets this metric cannot read, naming both shapes.</summary>
    private protected (int N, int C) CheckShapes(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.Shape.Rank == 0 || !Fits(predictions.Shape.Dims, targets.Shape)) throw Mismatch(predictions.Shape, targets.Shape);
        int n = predictions.Shape[0];
        return (n, n == 0 ? 0 : predictions.Length / n);
    }

    private ArgumentException Mismatch(Shape predictions, Shape targets) => predictions.Rank == 0
        ? new($"Metric '{Name}': predictions {predictions} have no sample axis (targets {targets}).")
        : new($"Metric '{Name}': predictions {predictions} need targets {Expected(predictions)}; got {targets}.");

    /// <summary>Looks a metric up by its Keras name.</summary>
    public static implicit operator Metric(string name) => Metrics.Get(name);

    public override string ToString() => Name;
}
