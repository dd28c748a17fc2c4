namespace Strata.Optimizers;

/// <summary>
/// Updates a model's trainable weights from their gradients. Its state (velocities, moments) mirrors the
/// model's parameter slab, so an update is one fused pass over memory. An optimizer serves one model.
/// <para>
/// Every optimizer can clip, as Keras's do: <see cref="ClipValue"/> (element-wise), <see cref="ClipNorm"/> (each
/// weight tensor by its own L2 norm) or <see cref="GlobalClipNorm"/> (one scale for all); and with thresholds that
/// adapt, which Keras and PyTorch lack: <see cref="Agc"/> (each unit against its own weights' norm) or
/// <see cref="AutoClipPercentile"/> (the global norm against a percentile of the norms so far). At most one of them.
/// A step is: check the gradients are finite → clip → (decoupled weight decay) → update.
/// </para>
/// </summary>
public abstract class Optimizer
{
    private ParameterSlab? _slab;
    private UnitwiseClipping? _unitwise;
    private float _agcEpsilon = 1e-3f;
    private bool _agcExcludeLast = true;
    private string[] _agcExclude = [];

    /// <param name="learningRate">Step size; must be positive and finite.</param>
    /// <param name="clipValue">Clamp every gradient to [−clipValue, clipValue].</param>
    /// <param name="clipNorm">Rescale each weight's gradient to at most this L2 norm.</param>
    /// <param name="globalClipNorm">Rescale all gradients together to at most this global L2 norm.</param>
    /// <param name="agc">Adaptive gradient clipping with this λ: each unit's gradient to at most λ·max(‖W_i‖, ε).</param>
    /// <param name="autoClipPercentile">AutoClip: the global norm to at most this percentile, in (0, 100], of the norms so far.</param>
    protected Optimizer(float learningRate, float? clipValue = null, float? clipNorm = null, float? globalClipNorm = null,
        float? agc = null, float? autoClipPercentile = null)
    {
        LearningRate = learningRate;
        int set = new[] { clipValue, clipNorm, globalClipNorm, agc, autoClipPercentile }.Count(t => t is not null);
        if (set > 1)
        {
            throw new ArgumentException(
                $"Only one of clipValue, clipNorm, globalClipNorm, agc and autoClipPercentile can be set; got clipValue = {Show(clipValue)}, clipNorm = {Show(clipNorm)}, globalClipNorm = {Show(globalClipNorm)}, agc = {Show(agc)}, autoClipPercentile = {Show(autoClipPercentile)}.");
        }
        if (clipValue is float v) GradientClipping.CheckThreshold(v, nameof(clipValue));
        if (clipNorm is float n) GradientClipping.CheckThreshold(n, nameof(clipNorm));
        if (globalClipNorm is float g) GradientClipping.CheckThreshold(g, nameof(globalClipNorm));
        if (agc is float a) GradientClipping.CheckThreshold(a, nameof(agc));
        if (autoClipPercentile is float p && !(p > 0 && p <= 100))
            throw new ArgumentOutOfRangeException(nameof(autoClipPercentile), p, "autoClipPercentile must be in (0, 100]; to turn clipping off, leave it unset.");
        ClipValue = clipValue;
        ClipNorm = clipNorm;
        GlobalClipNorm = globalClipNorm;
        Agc = agc;
        AutoClipPercentile = autoClipPercentile;
        NormHistory = autoClipPercentile is float percentile ? new GradientNormHistory(percentile) : null;
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

    /// <summary>
    /// λ of adaptive gradient clipping (Brock et al. 2021), or null: before each update, every unit i whose gradient
    /// norm exceeds λ·max(‖W_i‖, <see cref="AgcEpsilon"/>) is rescaled to that norm, W_i being its current weights. A
    /// unit is one output of a kernel (its fan-in: all values with that index on the last axis, so a Dense column, a
    /// Conv2D filter, one gate unit of a recurrent kernel) or one element of a weight of rank ≤ 1 (bias, γ, β). The
    /// paper's λ is 0.01 to 0.16 for its batch sizes; it designed AGC for networks without normalization.
    /// </summary>
    public float? Agc { get; }

    /// <summary>
    /// AGC's floor ε on a unit's weight norm, default 1e-3 (the paper's), so a unit whose weights are zero (a bias at
    /// initialization) still moves, by at most λ·ε per step. Set only with <see cref="Agc"/>.
    /// </summary>
    public float AgcEpsilon
    {
        get => _agcEpsilon;
        init => ConfigureAgc(value, _agcExcludeLast, _agcExclude);
    }

    /// <summary>
    /// Whether AGC leaves the final layer's weights alone (default true, as the paper does: clipping the classifier
    /// hurt): the weights whose layer is that of the model's last trainable weight. Set only with <see cref="Agc"/>.
    /// </summary>
    public bool AgcExcludeLast
    {
        get => _agcExcludeLast;
        init => ConfigureAgc(_agcEpsilon, value, _agcExclude);
    }

    /// <summary>
    /// Weights AGC leaves alone, by weight name (<c>dense/bias</c>) or layer name (<c>dense</c>), besides the final
    /// layer's; a name that matches no trainable weight is an error at the first step. Set only with <see cref="Agc"/>.
    /// </summary>
    public IReadOnlyList<string> AgcExclude
    {
        get => _agcExclude;
        init => ConfigureAgc(_agcEpsilon, _agcExcludeLast, value);
    }

    /// <summary>
    /// AutoClip's percentile p (Seetharaman et al. 2020; their default 10), or null: each step's gradients are scaled
    /// together to at most the p-th percentile of the global norms of every step so far, this one included
    /// (<see cref="GradientNormHistory"/>). The history belongs to the optimizer and is saved with it.
    /// </summary>
    public float? AutoClipPercentile { get; }

    /// <summary>AutoClip's history of norms (null without AutoClip).</summary>
    internal GradientNormHistory? NormHistory { get; }

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
            Bind(slab);
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
        else _unitwise?.Apply(slab); // AGC: against the weights before this update
        // Global-norm clipping is one scale for every gradient: it is folded into the update (GradientScale, as
        // llm.c's grad_scale) instead of a pass of its own. AutoClip is the same with a threshold from the history,
        // in float, the precision the history keeps.
        if (NormHistory is { } history)
        {
            float norm = (float)Math.Sqrt(sum);
            double threshold = history.Add(norm);
            GradientScale = norm > threshold ? (float)(threshold / norm) : 1f;
        }
        else
        {
            GradientScale = GlobalClipNorm is float g && Math.Sqrt(sum) > g ? (float)(g / Math.Sqrt(sum)) : 1f;
        }

        if (Schedule is { } schedule) LearningRate = schedule.At(Iterations);
        Iterations++;
        BeginStep(Iterations);
        slab.Update(this);
        return true;
    }

    /// <summary>Whether clipping changes the gradients themselves (clipValue, clipNorm, agc) rather than scaling them all in the update.</summary>
    internal bool ClipsInPlace => ClipValue is not null || ClipNorm is not null || Agc is not null;

    /// <summary>The scale the last applied step multiplied every gradient by (globalClipNorm, autoClip; else 1).</summary>
    internal float AppliedGradientScale => GradientScale;

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
    /// the range's position in the slab, where the optimizer's own state for it lives; the range's learning rate is
    /// η·<paramref name="rateScale"/> (its layer's <see cref="Layers.Layer.LearningRateMultiplier"/>). Ranges of one
    /// step may run on different threads at once and never overlap.
    /// </summary>
    protected abstract void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale);

    /// <summary>
    /// The per-parameter state, as arrays laid out like the model's parameter slab, by slot name (Keras's
    /// <c>momentum</c>, <c>m</c>, <c>v</c>); empty before the first step. A saved model stores them per weight.
    /// </summary>
    internal virtual IEnumerable<(string Slot, float[] Values)> StateSlots => [];

    /// <summary>True once the optimizer is bound to a model's parameters (after its first step or a restore).</summary>
    internal bool HasState => _slab is not null;

    /// <summary>
    /// Binds to <paramref name="slab"/> with fresh (zero) state as after <paramref name="iterations"/> steps; a loader
    /// then fills <see cref="StateSlots"/> and AutoClip's <see cref="NormHistory"/> from a file.
    /// </summary>
    internal void Restore(ParameterSlab slab, long iterations)
    {
        if (_slab is not null && !ReferenceEquals(_slab, slab))
            throw new InvalidOperationException($"This {Name} optimizer already holds state for another model.");
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (_slab is null) Bind(slab);
        CreateState(slab.Values.Length);
        NormHistory?.Restore([]);
        Iterations = iterations;
        OnRestore(iterations);
    }

    private readonly Dictionary<(string Slot, Weight Weight), float[]> _parked = [];

    /// <summary>
    /// Follows the model to <paramref name="to"/>, its slab after the set of trainable weights changed: every weight in
    /// both keeps its state (moments, momentum); a weight no longer trainable keeps its state aside, and gets it back
    /// when it is trainable again; a weight trainable for the first time starts from zero. Not started yet: nothing to move.
    /// </summary>
    internal void Rebind(ParameterSlab from, ParameterSlab to)
    {
        if (_slab is null || !ReferenceEquals(_slab, from)) return;
        foreach (var (slot, values) in StateSlots)
            for (int i = 0; i < from.Weights.Length; i++)
                _parked[(slot, from.Weights[i])] = values.AsSpan(from.OffsetOf(i), from.Weights[i].Size).ToArray();
        Bind(to);
        CreateState(to.Values.Length);
        foreach (var (slot, values) in StateSlots)
            for (int i = 0; i < to.Weights.Length; i++)
                if (_parked.Remove((slot, to.Weights[i]), out var state)) state.CopyTo(values.AsSpan(to.OffsetOf(i)));
    }

    /// <summary>Recomputes scalar state that follows from the step count alone (Nadam's momentum product).</summary>
    protected virtual void OnRestore(long iterations) { }

    /// <summary>Binds to the model's slab; AGC plans its weights here, and a name in <see cref="AgcExclude"/> must exist.</summary>
    private void Bind(ParameterSlab slab)
    {
        if (Agc is float agc) _unitwise = new UnitwiseClipping(slab, agc, AgcEpsilon, AgcExcludeLast, AgcExclude);
        _slab = slab;
    }

    /// <summary>Sets AGC's ε and exclusions (the init accessors, and a loader reading them from a file), checked.</summary>
    internal void ConfigureAgc(float epsilon, bool excludeLast, IReadOnlyList<string> exclude)
    {
        if (Agc is null) throw new InvalidOperationException("AgcEpsilon, AgcExcludeLast and AgcExclude apply to adaptive gradient clipping only; set agc too.");
        if (_slab is not null) throw new InvalidOperationException("AGC's settings cannot change once the optimizer has started.");
        if (!(epsilon > 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(AgcEpsilon), epsilon, "AgcEpsilon must be positive and finite (a zero floor would freeze zero weights).");
        ArgumentNullException.ThrowIfNull(exclude);
        if (exclude.Any(string.IsNullOrEmpty)) throw new ArgumentException("AgcExclude holds an empty name.", nameof(AgcExclude));
        _agcEpsilon = epsilon;
        _agcExcludeLast = excludeLast;
        _agcExclude = [.. exclude];
    }

    internal void UpdateRange(int offset, Span<float> parameters, ReadOnlySpan<float> gradients, float rateScale) =>
        Update(offset, parameters, gradients, rateScale);

    private static string Show(float? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
}
