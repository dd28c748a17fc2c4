namespace Strata.Optimizers;

/// <summary>
/// Updates a model's trainable weights from their gradients. Its state (velocities, moments) mirrors the
/// model's parameter slab, so an update is one fused pass over memory. An optimizer serves one model.
/// <para>
/// Every optimizer can clip, as Keras's do: <see cref="ClipValue"/> (element-wise), <see cref="ClipNorm"/> (each
/// weight tensor by its own L2 norm) or <see cref="GlobalClipNorm"/> (one scale for all); at most one of them.
/// A step is: check the gradients are finite → clip → (decoupled weight decay) → update.
/// </para>
/// </summary>
public abstract class Optimizer
{
    private ParameterSlab? _slab;

    /// <param name="learningRate">Step size; must be positive and finite.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    protected Optimizer(float learningRate, float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null)
    {
        LearningRate = learningRate;
        int set = (clipValue is null ? 0 : 1) + (clipNorm is null ? 0 : 1) + (globalClipNorm is null ? 0 : 1);
        if (set > 1)
            throw new ArgumentException($"Only one of clipValue, clipNorm and globalClipNorm can be set; got clipValue = {Show(clipValue)}, clipNorm = {Show(clipNorm)}, globalClipNorm = {Show(globalClipNorm)}.");
        if (clipValue is float v) GradientClipping.CheckThreshold(v, nameof(clipValue));
        if (clipNorm is float n) GradientClipping.CheckThreshold(n, nameof(clipNorm));
        if (globalClipNorm is float g) GradientClipping.CheckThreshold(g, nameof(globalClipNorm));
        ClipValue = clipValue;
        ClipNorm = clipNorm;
        GlobalClipNorm = globalClipNorm;
    }

    /// <summary>Step size.</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value > 0) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
            field = value;
        }
    }

    /// <summary>When set, <see cref="LearningRate"/> follows it: before each update it becomes Schedule.At(Iterations).</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Element-wise clipping threshold, or null.</summary>
    public float? ClipValue { get; }

    /// <summary>Per-weight L2-norm clipping threshold, or null.</summary>
    public float? ClipNorm { get; }

    /// <summary>Global L2-norm clipping threshold, or null.</summary>
    public float? GlobalClipNorm { get; }

    /// <summary>Number of updates applied so far (Keras's <c>iterations</c>); skipped steps do not count.</summary>
    public long Iterations { get; private set; }

    /// <summary>Keras's name (<c>SGD</c>, <c>Adam</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Clips the gradients as configured and applies one update to the weights they belong to. Returns false,
    /// changing nothing, when a gradient is NaN or infinite: such a step would spread the NaN into every weight.
    /// </summary>
    public bool ApplyGradients(Gradients gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        using var context = gradients.Context.Enter();
        bool applied = Apply(gradients, sumOfSquares: null);
        if (!applied) gradients.AbandonStep?.Invoke();
        return applied;
    }

    /// <summary>As <see cref="ApplyGradients"/>, reusing Σg² when the caller has already computed it.</summary>
    internal bool Apply(Gradients gradients, double? sumOfSquares)
    {
        var slab = gradients.Slab;
        if (_slab is null)
        {
            _slab = slab;
            CreateState(slab.Values.Length);
        }
        else if (!ReferenceEquals(_slab, slab))
        {
            throw new InvalidOperationException(
                $"This {Name} optimizer holds state for another model (or an earlier compile of this one); create a new optimizer per model.");
        }
        double sum = sumOfSquares ?? slab.GradientSumOfSquares();
        if (!double.IsFinite(sum)) return false;

        // Clipping runs on the threads that own each range of the slab, like the update, so no gradient moves
        // between cores; global-norm clipping reuses Σg² from the finiteness check.
        if (ClipValue is float v) slab.ClampGradients(v);
        else if (ClipNorm is float n) GradientClipping.ClipByNorm(gradients, n);
        // Global-norm clipping is one scale for every gradient: it is folded into the update (GradientScale, as
        // llm.c's grad_scale) instead of a pass of its own.
        GradientScale = GlobalClipNorm is float g && Math.Sqrt(sum) > g ? (float)(g / Math.Sqrt(sum)) : 1f;

        if (Schedule is { } schedule) LearningRate = schedule.At(Iterations);
        Iterations++;
        BeginStep(Iterations);
        slab.Update(this);
        return true;
    }

    /// <summary>
    /// The factor every gradient of the current step is multiplied by before use: c/N under global-norm
    /// clipping when the global norm N exceeds c, otherwise 1. Update kernels apply it as they read g.
    /// </summary>
    protected float GradientScale { get; private set; } = 1f;

    /// <summary>Allocates per-parameter state once, sized to the model's parameter slab.</summary>
    protected virtual void CreateState(int parameterCount) { }

    /// <summary>Called once per applied step, before the ranges are updated, with the 1-based step number.</summary>
    protected virtual void BeginStep(long step) { }

    /// <summary>
    /// One update of a contiguous range of the parameter slab: w ← f(w, g, state). <paramref name="offset"/> is
    /// the range's position in the slab, where the optimizer's own state for it lives. Ranges of one step may
    /// run on different threads at once and never overlap.
    /// </summary>
    protected abstract void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// The per-parameter state, as arrays laid out like the model's parameter slab, by slot name (Keras's
    /// <c>momentum</c>, <c>m</c>, <c>v</c>); empty before the first step. A saved model stores them per weight.
    /// </summary>
    internal virtual IEnumerable<(string Slot, float[] Values)> StateSlots => [];

    /// <summary>True once the optimizer is bound to a model's parameters (after its first step or a restore).</summary>
    internal bool HasState => _slab is not null;

    /// <summary>
    /// Binds to <paramref name="slab"/> with fresh (zero) state as after <paramref name="iterations"/> steps; a loader
    /// then fills <see cref="StateSlots"/> from a file.
    /// </summary>
    internal void Restore(ParameterSlab slab, long iterations)
    {
        if (_slab is not null && !ReferenceEquals(_slab, slab))
            throw new InvalidOperationException($"This {Name} optimizer already holds state for another model.");
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        _slab = slab;
        CreateState(slab.Values.Length);
        Iterations = iterations;
        OnRestore(iterations);
    }

    /// <summary>Recomputes scalar state that follows from the step count alone (Nadam's momentum product).</summary>
    protected virtual void OnRestore(long iterations) { }

    internal void UpdateRange(int offset, Span<float> parameters, ReadOnlySpan<float> gradients) => Update(offset, parameters, gradients);

    private static string Show(float? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
}
