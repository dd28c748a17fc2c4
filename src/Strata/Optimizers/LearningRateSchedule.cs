namespace Strata.Optimizers;

/// <summary>
/// A learning rate that depends on the step, as Keras's <c>LearningRateSchedule</c>: the optimizer uses
/// <c>At(iterations)</c> for each update, where iterations counts the updates before it (0 for the first).
/// Set it through <see cref="Optimizer.Schedule"/>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update after <paramref name="step"/> earlier ones.</summary>
    public abstract float At(long step);
}

/// <summary>η·r^(step/decaySteps), or with <c>staircase</c> η·r^⌊step/decaySteps⌋ (Keras's ExponentialDecay).</summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        if (!(initialLearningRate > 0) || !float.IsFinite(initialLearningRate))
            throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "The initial learning rate must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(decayRate > 0) || !float.IsFinite(decayRate))
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "The decay rate must be positive and finite.");
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    public float InitialLearningRate { get; }
    public long DecaySteps { get; }
    public float DecayRate { get; }
    public bool Staircase { get; }

    public override float At(long step)
    {
        double p = (double)step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return (float)(InitialLearningRate * Math.Pow(DecayRate, p));
    }
}

/// <summary>
/// values[0] up to and including step boundaries[0], values[1] up to boundaries[1], …, values[^1] after the last
/// boundary (Keras's PiecewiseConstantDecay).
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    public PiecewiseConstantDecay(long[] boundaries, float[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
            throw new ArgumentException($"PiecewiseConstantDecay needs one more value than boundaries; got {boundaries.Length} boundaries and {values.Length} values.");
        for (int i = 1; i < boundaries.Length; i++)
            if (boundaries[i] <= boundaries[i - 1]) throw new ArgumentException("The boundaries must increase.", nameof(boundaries));
        if (values.Any(v => !(v > 0) || !float.IsFinite(v))) throw new ArgumentException("Every learning rate must be positive and finite.", nameof(values));
        _boundaries = (long[])boundaries.Clone();
        _values = (float[])values.Clone();
    }

    /// <summary>The steps at which the rate changes, increasing.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The rates, one more than the boundaries.</summary>
    public IReadOnlyList<float> Values => _values;

    public override float At(long step)
    {
        for (int i = 0; i < _boundaries.Length; i++)
            if (step <= _boundaries[i]) return _values[i];
        return _values[^1];
    }
}

/// <summary>
/// Keras's CosineDecay without warm-up: η·((1 − α)·½(1 + cos(π·min(step, decaySteps)/decaySteps)) + α). The rate
/// falls from η along half a cosine to α·η at <c>decaySteps</c> and stays there; over a whole run it spends more steps
/// near both ends than a linear decay, and needs no boundaries chosen by hand.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    public CosineDecay(float initialLearningRate, long decaySteps, float alpha = 0f)
    {
        if (!(initialLearningRate > 0) || !float.IsFinite(initialLearningRate))
            throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "The initial learning rate must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha, the final rate as a fraction of the initial one, must be in [0, 1].");
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        Alpha = alpha;
    }

    public float InitialLearningRate { get; }
    public long DecaySteps { get; }

    /// <summary>The final rate as a fraction of the initial one.</summary>
    public float Alpha { get; }

    public override float At(long step)
    {
        double progress = Math.Min(Math.Max(step, 0), DecaySteps) / (double)DecaySteps;
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(InitialLearningRate * ((1 - Alpha) * cosine + Alpha));
    }
}
