namespace Strata;

/// <summary>
/// Saves the model after each epoch (Keras's ModelCheckpoint), atomically, with its optimizer so training can resume
/// from the file. The path takes Keras's placeholders (<c>model-{epoch:02d}-{val_loss:.4f}.strata</c>): any log key,
/// the 1-based epoch, Python's format specs; an unknown key is an error naming it when training begins. With <see cref="SaveBestOnly"/> the
/// file is written only when <see cref="Monitor"/> improves (values whose name contains "acc" improve upward, others
/// downward, as in <see cref="EarlyStopping"/>). The best value so far is not saved with the model: when resuming with
/// <see cref="SaveBestOnly"/>, pass the previous run's best as <c>initialValueThreshold</c> (Keras's argument) so that
/// only an improvement on it is written.
/// </summary>
public sealed class ModelCheckpoint(string filePath, string monitor = "val_loss", bool saveBestOnly = false, bool includeOptimizer = true,
    double? initialValueThreshold = null) : Callback
{
    /// <summary>Runs on rank 0 only in a data-parallel Fit.</summary>
    public override bool WritesOutput => true;

    private double _best;
    private readonly FilePathTemplate _template = new(!string.IsNullOrEmpty(filePath) ? filePath
        : throw new ArgumentException("A checkpoint needs a file path.", nameof(filePath)));

    /// <summary>The path template, placeholders unfilled.</summary>
    public string FilePath { get; } = filePath;
    public string Monitor { get; } = monitor;
    public bool SaveBestOnly { get; } = saveBestOnly;
    public bool IncludeOptimizer { get; } = includeOptimizer;

    /// <summary>With <see cref="SaveBestOnly"/>, the value a first save must beat; none by default.</summary>
    public double? InitialValueThreshold { get; } = initialValueThreshold;

    /// <summary>The files written, in order.</summary>
    public IReadOnlyList<string> Saved => _saved;
    private readonly List<string> _saved = [];

    private bool Upward => ImprovesUpward(Monitor);

    public override void OnTrainBegin(TrainingPlan plan)
    {
        var keys = new List<string> { "loss" };
        keys.AddRange(plan.MetricNames);
        if (plan.ValidationSamples > 0) keys.AddRange(keys.Select(k => "val_" + k).ToArray());
        _template.RequireKeys(keys);
        _best = InitialValueThreshold ?? (Upward ? double.NegativeInfinity : double.PositiveInfinity);
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        // An epoch a callback cut short is not saved: resuming from it would skip the rest of that epoch.
        if (Model!.EpochsCompleted != epoch + 1) return;
        if (SaveBestOnly)
        {
            double value = Monitored(logs, Monitor, nameof(ModelCheckpoint));
            if (!(Upward ? value > _best : value < _best)) return;
            _best = value;
        }
        string path = _template.Format(epoch + 1, logs);
        Model!.Save(path, IncludeOptimizer);
        _saved.Add(path);
    }
}
