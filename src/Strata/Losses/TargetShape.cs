namespace Strata;

/// <summary>
/// Which targets fit which predictions, shared by the losses and the metrics. Shapes include the batch axis.
/// <para>
/// Elementwise losses and metrics (binary cross-entropy, MSE, MAE, Huber, binary accuracy) follow Keras's
/// <c>squeeze_or_expand_to_same_rank</c>: targets of the predictions' shape, or of a rank one lower or higher where the
/// extra last axis is 1. A <c>Dense(1)</c> output (n, 1) then takes targets (n,) as Keras does; (n, 1) and (n,) hold the
/// same values in the same order, so the kernels read either unchanged. Anything else — (n,) targets for an (n, 3)
/// output, which broadcasting would silently turn into 3n comparisons — is refused.
/// </para>
/// </summary>
internal static class TargetShape
{
    /// <summary>Targets equal to the predictions, or differing only by a trailing axis of 1 on either side.</summary>
    public static bool FitsElementwise(ReadOnlySpan<int> predictions, ReadOnlySpan<int> targets)
    {
        if (predictions.SequenceEqual(targets)) return true;
        if (predictions.Length == targets.Length + 1)
            return predictions[^1] == 1 && predictions[..^1].SequenceEqual(targets) && targets.Length >= 1;
        if (targets.Length == predictions.Length + 1)
            return targets[^1] == 1 && targets[..^1].SequenceEqual(predictions) && predictions.Length >= 1;
        return false;
    }

    /// <summary>One class index per sample: targets (n,) or (n, 1).</summary>
    public static bool IsClassIndices(int n, Shape targets) => targets.Size == n && targets.Rank >= 1 && targets[0] == n;

    /// <summary>Writes [n, sample…] into <paramref name="dims"/> (a stack buffer of sample.Rank + 1), allocating nothing.</summary>
    public static ReadOnlySpan<int> Batched(Shape sample, int n, Span<int> dims)
    {
        dims[0] = n;
        sample.Dims.CopyTo(dims[1..]);
        return dims[..(sample.Rank + 1)];
    }

    /// <summary>The shapes an elementwise loss or metric accepts for <paramref name="predictions"/>, for messages.</summary>
    public static string DescribeElementwise(Shape predictions) =>
        predictions.Rank >= 2 && predictions[^1] == 1
            ? $"{predictions} or {new Shape(predictions.Dims[..^1])}"
            : predictions.ToString();
}
