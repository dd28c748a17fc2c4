using Strata.Kernels;

namespace Strata.Optimizers;

/// <summary>
/// RMSprop as Keras computes it: v ← ρv + (1 − ρ)g², w ← w − η·g/√(v + ε). PyTorch puts ε outside the root
/// (g/(√v + ε)) and defaults to ρ = 0.99; with a negligible ε the two agree.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[] _v = [];

    /// <param name="learningRate">η, default 0.001.</param>
    /// <param name="rho">Decay of the mean square, 0.9 as in Keras.</param>
    /// <param name="epsilon">1e-7, under the square root.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ (see <see cref="Optimizer.Agc"/>).</param>
    /// <param name="autoClipPercentile">AutoClip with this percentile p in (0, 100] (see <see cref="Optimizer.AutoClipPercentile"/>).</param>
    public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f,
        float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null, float? agc = null, float? autoClipPercentile = null)
        : base(learningRate, clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile)
    {
        if (!(rho >= 0 && rho < 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1).");
        if (!(epsilon >= 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and not negative.");
        Rho = rho;
        Epsilon = epsilon;
    }

    public float Rho { get; }
    public float Epsilon { get; }
    public override string Name => "RMSprop";

    internal override IEnumerable<(string Slot, float[] Values)> StateSlots => [("velocity", _v)];

    protected override void CreateState(int parameterCount) => _v = new float[parameterCount];

    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale) =>
        OptimizerKernels.RmsProp(gradients, GradientScale, Rho, LearningRate * rateScale, Epsilon, _v.AsSpan(offset, parameters.Length), parameters);
}
