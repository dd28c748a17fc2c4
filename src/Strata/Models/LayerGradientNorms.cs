namespace Strata;

/// <summary>
/// Each training step's gradient norm of every layer with trainable weights, before and after clipping:
/// ‖g_layer‖₂ = √(Σ over the layer's trainable weights of Σg²), one double per layer per step in two flat arrays,
/// reserved for the whole of Fit so that recording a step allocates nothing. After clipping is the norm the update
/// used: the clipped gradient for clipValue, clipNorm and agc, the gradient times the global scale for globalClipNorm
/// and autoClip, the same as before without clipping, and NaN for a step skipped because it was not finite.
/// </summary>
public sealed class LayerGradientNorms
{
    private double[] _before = [], _after = [];

    internal LayerGradientNorms(IReadOnlyList<string> layers) => Layers = [.. layers];

    /// <summary>
    /// A table read back from a file (what <c>strata train</c> writes): <paramref name="before"/> and
    /// <paramref name="after"/> are [steps, layers], row by row.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays are not steps × layers long.</exception>
    public LayerGradientNorms(IReadOnlyList<string> layers, double[] before, double[] after) : this(layers)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Length != after.Length || (Layers.Count == 0 ? before.Length != 0 : before.Length % Layers.Count != 0))
            throw new ArgumentException($"LayerGradientNorms: {before.Length} norms before and {after.Length} after clipping are not a whole number of steps of {Layers.Count} layers.");
        (_before, _after) = ((double[])before.Clone(), (double[])after.Clone());
        Steps = Layers.Count == 0 ? 0 : before.Length / Layers.Count;
    }

    /// <summary>The layers with trainable weights, in model order: the columns.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Steps recorded.</summary>
    public int Steps { get; private set; }

    /// <summary>Step <paramref name="step"/>'s (from 0) norm of each layer, before clipping.</summary>
    public ReadOnlySpan<double> Before(int step) => Row(_before, step);

    /// <summary>Step <paramref name="step"/>'s (from 0) norm of each layer, after clipping (NaN: the step was skipped).</summary>
    public ReadOnlySpan<double> After(int step) => Row(_after, step);

    private ReadOnlySpan<double> Row(double[] values, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Steps);
        return values.AsSpan(step * Layers.Count, Layers.Count);
    }

    /// <summary>Makes room for <paramref name="steps"/> more steps at once (Fit knows how many it runs).</summary>
    internal void Reserve(int steps)
    {
        long needed = (long)(Steps + steps) * Layers.Count;
        if (needed <= _before.Length) return;
        Array.Resize(ref _before, (int)needed);
        Array.Resize(ref _after, (int)needed);
    }

    /// <summary>Records one step's sums of squares per layer (the norms are their square roots); grows by doubling past a reservation.</summary>
    internal void Add(ReadOnlySpan<double> beforeSquares, ReadOnlySpan<double> afterSquares)
    {
        int c = Layers.Count, at = Steps * c;
        if (at + c > _before.Length) Reserve(Math.Max(Steps, 16));
        for (int i = 0; i < c; i++)
        {
            _before[at + i] = Math.Sqrt(beforeSquares[i]);
            _after[at + i] = Math.Sqrt(afterSquares[i]);
        }
        Steps++;
    }
}
