namespace Strata.Layers;

/// <summary>
/// The bounds of Batch Renormalization's corrections, tf.keras's <c>renorm_clipping</c> dictionary
/// <c>{"rmax", "rmin", "dmax"}</c>: r is clipped to [<see cref="RMin"/>, <see cref="RMax"/>] and d to
/// [−<see cref="DMax"/>, <see cref="DMax"/>]. A bound left null does not clip, as a key missing from tf.keras's
/// dictionary (so no clipping at all is <c>new RenormClipping()</c>, tf.keras's default). Ioffe (2017) starts
/// from rmax = 1, dmax = 0 (plain Batch Normalization) and relaxes them to 3 and 5 during training.
/// </summary>
public sealed record RenormClipping
{
    /// <param name="rMax">Upper bound of r (at least 1 when given), or null.</param>
    /// <param name="rMin">Lower bound of r (positive and at most 1 when given), or null; the paper uses 1/rMax.</param>
    /// <param name="dMax">Bound of |d| (non-negative when given), or null.</param>
    public RenormClipping(float? rMax = null, float? rMin = null, float? dMax = null)
    {
        if (rMax is float high && !(high >= 1 && float.IsFinite(high)))
            throw new ArgumentOutOfRangeException(nameof(rMax), rMax, "Batch Renormalization's rMax must be finite and at least 1.");
        if (rMin is float low && !(low > 0 && low <= 1))
            throw new ArgumentOutOfRangeException(nameof(rMin), rMin, "Batch Renormalization's rMin must be in (0, 1].");
        if (dMax is float bound && !(bound >= 0 && float.IsFinite(bound)))
            throw new ArgumentOutOfRangeException(nameof(dMax), dMax, "Batch Renormalization's dMax must be finite and non-negative.");
        RMax = rMax;
        RMin = rMin;
        DMax = dMax;
    }

    /// <summary>Upper bound of r, or null (none).</summary>
    public float? RMax { get; }

    /// <summary>Lower bound of r, or null (none).</summary>
    public float? RMin { get; }

    /// <summary>Bound of |d|, or null (none).</summary>
    public float? DMax { get; }
}
