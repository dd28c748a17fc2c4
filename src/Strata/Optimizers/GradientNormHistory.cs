namespace Strata.Optimizers;

/// <summary>
/// AutoClip's memory (Seetharaman, Wichern, Pardo &amp; Le Roux 2020, "AutoClip: Adaptive Gradient Clipping for
/// Source Separation Networks"): the global gradient norm of every applied step, and the p-th percentile of all of
/// them so far, the step's clipping threshold.
/// <para>
/// The percentile is exact, by linear interpolation between order statistics (NumPy's default, which the paper
/// used): with the n norms sorted as x₀ ≤ … ≤ x₍ₙ₋₁₎ and h = p·(n − 1)/100, P = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
/// Two heaps keep x⌊h⌋ and x⌊h⌋₊₁ at hand — the ⌊h⌋ + 1 smallest norms in a max-heap, the rest in a min-heap —
/// and ⌊h⌋ grows by at most one per step, so a step costs O(log n) however long training runs.
/// </para>
/// <para>
/// Memory: each norm is kept as a float (the precision <see cref="History"/> reports, ample for a threshold) in
/// step order, which a saved model stores, and once more in a heap: 12 bytes a step, 12 MB for a million steps.
/// </para>
/// </summary>
internal sealed class GradientNormHistory
{
    private readonly List<float> _norms = [];
    private readonly PriorityQueue<float, float> _lower = new(Comparer<float>.Create((a, b) => b.CompareTo(a)));
    private readonly PriorityQueue<float, float> _upper = new();

    /// <param name="percentile">p in (0, 100].</param>
    public GradientNormHistory(float percentile)
    {
        if (!(percentile > 0 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (0, 100].");
        Percentile = percentile;
    }

    /// <summary>p.</summary>
    public float Percentile { get; }

    /// <summary>Every recorded norm, in step order.</summary>
    public IReadOnlyList<float> Norms => _norms;

    /// <summary>The threshold of the last recorded step, NaN before the first.</summary>
    public double Threshold { get; private set; } = double.NaN;

    /// <summary>Records one step's norm and returns the p-th percentile of all norms so far, this one included.</summary>
    public double Add(float norm)
    {
        if (!(norm >= 0) || !float.IsFinite(norm))
            throw new ArgumentOutOfRangeException(nameof(norm), norm, "A gradient norm is finite and not negative.");
        _norms.Add(norm);
        if (_lower.Count > 0 && norm <= _lower.Peek()) _lower.Enqueue(norm, norm);
        else _upper.Enqueue(norm, norm);

        double h = (double)Percentile * (_norms.Count - 1) / 100;
        int k = (int)Math.Floor(h);
        while (_lower.Count > k + 1) Move(_lower, _upper);
        while (_lower.Count < k + 1) Move(_upper, _lower);
        double low = _lower.Peek();
        double fraction = h - k;
        Threshold = fraction == 0 ? low : low + fraction * (_upper.Peek() - low);
        return Threshold;
    }

    /// <summary>Replaces the history with <paramref name="norms"/> (step order), as a saved model holds it.</summary>
    public void Restore(ReadOnlySpan<float> norms)
    {
        _norms.Clear();
        _lower.Clear();
        _upper.Clear();
        Threshold = double.NaN;
        _norms.Capacity = Math.Max(_norms.Capacity, norms.Length);
        foreach (float norm in norms) Add(norm);
    }

    private static void Move(PriorityQueue<float, float> from, PriorityQueue<float, float> to)
    {
        float value = from.Dequeue();
        to.Enqueue(value, value);
    }
}
