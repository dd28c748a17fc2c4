namespace Strata;

/// <summary>What <see cref="Model.Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/> records: per-epoch loss and metrics (Keras's <c>history.history</c>).</summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = [];

    /// <summary>Per-epoch values by key: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>The values of one key, one per epoch.</summary>
    public IReadOnlyList<double> this[string key] =>
        _values.TryGetValue(key, out var list) ? list
        : throw new KeyNotFoundException($"History has no '{key}'; it has: {string.Join(", ", _values.Keys)}.");

    /// <summary>Number of epochs completed.</summary>
    public int Epochs { get; private set; }

    /// <summary>Training steps skipped because the loss or a gradient was not finite (the weights were left as they were).</summary>
    public long SkippedSteps { get; internal set; }

    /// <summary>
    /// Steps that trained on the cached outputs of frozen first layers instead of running them
    /// (<see cref="Model.FrozenFeatureCacheLimit"/>).
    /// </summary>
    public long StepsOnCachedFeatures { get; internal set; }

    /// <summary>The global gradient norm ‖g‖₂ of every step, before clipping.</summary>
    public IReadOnlyList<double> GradientNorms => _gradientNorms;

    /// <summary>
    /// Each step's per-weight gradient norms, before clipping, in model order (<see cref="WeightNames"/>: every weight
    /// that trains when its layer does; 0 while its layer is frozen).
    /// </summary>
    public IReadOnlyList<double[]> WeightGradientNorms => _weightGradientNorms;

    /// <summary>The weights of <see cref="WeightGradientNorms"/>' columns (Fit's <see cref="TrainingPlan.WeightNames"/>).</summary>
    public IReadOnlyList<string> WeightNames { get; internal init; } = [];

    /// <summary>
    /// Each step's gradient norm of every layer with weights that train when the layer does (0 while it is frozen), before
    /// and after clipping (one double each):
    /// what <see cref="GradientDiagnosis"/> reads to name the layers whose gradients spiked.
    /// </summary>
    public LayerGradientNorms LayerGradientNorms { get; internal init; } = new([]);

    /// <summary>
    /// Warnings about the gradients, one per epoch at most: <em>exploding</em> when an epoch's largest global norm is
    /// non-finite or more than 100 times the epoch's median, <em>vanishing</em> when the median is below 1e-6; then, at
    /// the end of training, about each Batch Normalization layer's health (moving statistics not warmed up, far from the
    /// batch statistics, or a constant input feature: <see cref="BatchNormHealth"/>).
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private readonly List<double> _gradientNorms = [];
    private readonly List<double[]> _weightGradientNorms = [];
    private readonly List<string> _warnings = [];

    internal void RecordGradientNorms(double global, double[] perWeight)
    {
        _gradientNorms.Add(global);
        _weightGradientNorms.Add((double[])perWeight.Clone());
    }

    /// <summary>Each epoch's median global gradient norm (before clipping).</summary>
    public IReadOnlyList<double> EpochGradientNorms => _epochMedians;

    /// <summary>Each epoch's largest global gradient norm (before clipping); ∞ when a step's was not finite.</summary>
    public IReadOnlyList<double> EpochMaxGradientNorms => _epochMaxima;

    private readonly List<double> _epochMedians = [];
    private readonly List<double> _epochMaxima = [];

    /// <summary>Records the epoch's median and largest global norm, and any warning.</summary>
    internal void SummarizeGradientNorms(int epoch, List<double> norms)
    {
        if (norms.Count == 0) return;
        var sorted = norms.Where(double.IsFinite).Order().ToArray();
        double median = sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        double max = norms.Any(n => !double.IsFinite(n)) ? double.PositiveInfinity : norms.Max();
        _epochMedians.Add(median);
        _epochMaxima.Add(max);
        if (!double.IsFinite(max) || max > 100 * median)
            _warnings.Add($"epoch {epoch + 1}: exploding gradients — the largest global norm ({max:G3}) is over 100× the epoch's median ({median:G3}); consider globalClipNorm or a lower learning rate.");
        else if (median < 1e-6)
            _warnings.Add($"epoch {epoch + 1}: vanishing gradients — the median global norm is {median:G3}.");
    }

    /// <summary>Adds a warning (Batch Normalization's health at the end of Fit, <see cref="BatchNormHealth"/>).</summary>
    internal void AddWarning(string warning) => _warnings.Add(warning);

    internal void AddEpoch(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
            list.Add(value);
        }
        Epochs++;
    }
}
