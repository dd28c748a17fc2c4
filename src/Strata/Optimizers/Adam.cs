using Strata.Kernels;

namespace Strata.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) as Keras computes it: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// w ← w − αₜ·m/(√v + ε) with αₜ = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ). This equals m̂/(√v̂ + ε/√(1 − β₂ᵗ)); PyTorch divides by
/// √v̂ + ε instead, so the two agree when ε is negligible against √v̂.
/// </summary>
public class Adam : Optimizer
{
    private float[] _m = [], _v = [];
    private float _alpha, _decay;

    /// <param name="learningRate">η, default 0.001 as in Keras.</param>
    /// <param name="beta1">Decay of the first moment, 0.9.</param>
    /// <param name="beta2">Decay of the second moment, 0.999.</param>
    /// <param name="epsilon">Keras's 1e-7 (PyTorch: 1e-8, added after the bias correction).</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ (see <see cref="Optimizer.Agc"/>).</param>
    /// <param name="autoClipPercentile">AutoClip with this percentile p in (0, 100] (see <see cref="Optimizer.AutoClipPercentile"/>).</param>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
        float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null, float? agc = null, float? autoClipPercentile = null)
        : base(learningRate, clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon >= 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and not negative.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "Adam";

    internal override IEnumerable<(string Slot, float[] Values)> StateSlots => [("m", _m), ("v", _v)];

    /// <summary>Decoupled weight decay λ (w ← w − η·λ·w before the step); 0 for Adam.</summary>
    protected virtual float WeightDecay => 0f;

    protected override void CreateState(int parameterCount)
    {
        _m = new float[parameterCount];
        _v = new float[parameterCount];
    }

    protected override void BeginStep(long step)
    {
        _alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step)));
        _decay = LearningRate * WeightDecay;
    }

    // Both α and the decay η·λ are proportional to η, so a weight's rate scale multiplies both.
    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale) =>
        OptimizerKernels.Adam(gradients, GradientScale, Beta1, Beta2, _alpha * rateScale, Epsilon, _decay * rateScale,
            _m.AsSpan(offset, parameters.Length), _v.AsSpan(offset, parameters.Length), parameters);
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019): Adam with decoupled weight decay, w ← w − η·λ·w applied to the weight
/// before the Adam step, as Keras and PyTorch both do (Keras's default λ = 0.004; PyTorch's 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <param name="learningRate">η, default 0.001.</param>
    /// <param name="weightDecay">λ, default 0.004 as in Keras.</param>
    /// <param name="beta1">Decay of the first moment, 0.9.</param>
    /// <param name="beta2">Decay of the second moment, 0.999.</param>
    /// <param name="epsilon">Keras's 1e-7.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ (see <see cref="Optimizer.Agc"/>).</param>
    /// <param name="autoClipPercentile">AutoClip with this percentile p in (0, 100] (see <see cref="Optimizer.AutoClipPercentile"/>).</param>
    public AdamW(float learningRate = 0.001f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
        float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null, float? agc = null, float? autoClipPercentile = null)
        : base(learningRate, beta1, beta2, epsilon, clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile)
    {
        if (!(weightDecay >= 0) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weightDecay must be finite and not negative.");
        Decay = weightDecay;
    }

    /// <summary>λ.</summary>
    public float Decay { get; }

    public override string Name => "AdamW";
    protected override float WeightDecay => Decay;
}
