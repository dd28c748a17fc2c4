using Strata.Kernels;

namespace Strata.Optimizers;

/// <summary>
/// Nadam (Dozat 2016): Adam with Nesterov momentum and the momentum schedule μₜ = β₁·(1 − ½·0.96^(0.004·t)) that
/// tf.keras and PyTorch use. Per step: m̂ = μₜ₊₁·m/(1 − Πμ₁..ₜ₊₁) + (1 − μₜ)·g/(1 − Πμ₁..ₜ), v̂ = v/(1 − β₂ᵗ),
/// w ← w − η·m̂/(√v̂ + ε).
/// </summary>
public sealed class Nadam : Optimizer
{
    private float[] _m = [], _v = [];
    private double _muProduct = 1;
    private float _a, _b, _c;

    /// <param name="learningRate">η, default 0.001.</param>
    /// <param name="beta1">β₁, 0.9.</param>
    /// <param name="beta2">β₂, 0.999.</param>
    /// <param name="epsilon">1e-7.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ (see <see cref="Optimizer.Agc"/>).</param>
    /// <param name="autoClipPercentile">AutoClip with this percentile p in (0, 100] (see <see cref="Optimizer.AutoClipPercentile"/>).</param>
    public Nadam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f,
        float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null, float? agc = null, float? autoClipPercentile = null)
        : base(learningRate, clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "Nadam";

    internal override IEnumerable<(string Slot, float[] Values)> StateSlots => [("m", _m), ("v", _v)];

    /// <summary>
    /// Πμ₁..ₜ follows from t: recompute it in the order the steps would have. Once μₜ equals β₁ in double precision
    /// (0.96^(0.004t) below 2⁻⁵³, t ≳ 2.3·10⁵) every further factor is β₁, so the rest is one power — a step count
    /// from a file, however large, costs at most that many multiplications.
    /// </summary>
    protected override void OnRestore(long iterations)
    {
        _muProduct = 1;
        long t = 1;
        for (; t <= iterations && _muProduct != 0; t++)
        {
            double mu = Mu(t);
            if (mu == Beta1) break;
            _muProduct *= mu;
        }
        if (t <= iterations && _muProduct != 0) _muProduct *= Math.Pow(Beta1, iterations - t + 1);
    }

    protected override void CreateState(int parameterCount)
    {
        _m = new float[parameterCount];
        _v = new float[parameterCount];
    }

    protected override void BeginStep(long step)
    {
        double mu = Mu(step), muNext = Mu(step + 1);
        _muProduct *= mu;
        _a = (float)(muNext / (1 - _muProduct * muNext));
        _b = (float)((1 - mu) / (1 - _muProduct));
        _c = (float)(1 / (1 - Math.Pow(Beta2, step)));
    }

    private double Mu(long step) => Beta1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * step));

    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale) =>
        OptimizerKernels.Nadam(gradients, GradientScale, Beta1, Beta2, LearningRate * rateScale, Epsilon, _a, _b, _c,
            _m.AsSpan(offset, parameters.Length), _v.AsSpan(offset, parameters.Length), parameters);
}
