using Strata.Kernels;

namespace Strata.Optimizers;

/// <summary>
/// Stochastic gradient descent, with Keras's formulation of momentum:
/// plain w ← w − η·g; momentum v ← μ·v − η·g, w ← w + v; Nesterov w ← w + μ·v − η·g with the new v.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[] _velocity = [];

    /// <param name="learningRate">η, default 0.01 as in Keras.</param>
    /// <param name="momentum">μ in [0, 1), default 0.</param>
    /// <param name="nesterov">Nesterov's look-ahead form of momentum.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ (see <see cref="Optimizer.Agc"/>).</param>
    /// <param name="autoClipPercentile">AutoClip with this percentile p in (0, 100] (see <see cref="Optimizer.AutoClipPercentile"/>).</param>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false,
        float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null, float? agc = null, float? autoClipPercentile = null)
        : base(learningRate, clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public float Momentum { get; }
    public bool Nesterov { get; }
    public override string Name => "SGD";

    internal override IEnumerable<(string Slot, float[] Values)> StateSlots => Momentum > 0 ? [("momentum", _velocity)] : [];

    protected override void CreateState(int parameterCount)
    {
        if (Momentum > 0) _velocity = new float[parameterCount];
    }

    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale)
    {
        // η·(s·g) = (η·s)·g: the gradient scale folds into the step size.
        float step = LearningRate * rateScale * GradientScale;
        if (Momentum == 0)
            OptimizerKernels.Sgd(gradients, step, parameters);
        else
            OptimizerKernels.SgdMomentum(gradients, step, Momentum, Nesterov, _velocity.AsSpan(offset, parameters.Length), parameters);
    }
}
