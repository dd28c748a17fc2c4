namespace Strata;

/// <summary>
/// Hooks into <see cref="Model.Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/>: progress display, logging, early stopping. Every method is
/// optional. <see cref="OnBatchEnd"/> runs after every step, so it should be cheap and allocate nothing.
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingPlan plan) { }

    /// <summary>Before each epoch (0-based).</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After each step, with running means over the epoch so far.</summary>
    public virtual void OnBatchEnd(int epoch, BatchLogs logs) { }

    /// <summary>After each epoch, with its loss and metrics (and val_ ones when validating).</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>After the last epoch.</summary>
    public virtual void OnTrainEnd(History history) { }

    /// <summary>Set by a callback to end training after the current step (Keras's <c>model.stop_training</c>).</summary>
    public bool StopTraining { get; protected set; }

    /// <summary>
    /// True for a callback that prints or writes files (a logger, a checkpoint): a data-parallel Fit runs it on rank 0
    /// only. The others run on every rank, where they see the same reduced logs and so decide the same.
    /// </summary>
    public virtual bool WritesOutput => false;

    /// <summary>The model being trained, set by Fit before <see cref="OnTrainBegin"/>.</summary>
    protected Model? Model { get; private set; }

    /// <summary>Keras's rule for a monitored value: names containing "acc" improve upward, others (losses) downward.</summary>
    protected static bool ImprovesUpward(string monitor) => monitor.Contains("acc", StringComparison.Ordinal);

    /// <summary>The monitored value of an epoch's logs; a name Fit does not report is an error that lists what it does.</summary>
    protected static double Monitored(IReadOnlyDictionary<string, double> logs, string monitor, string callback) =>
        logs.TryGetValue(monitor, out double value) ? value
            : throw new InvalidOperationException($"{callback} monitors '{monitor}', which this Fit does not report; it reports: {string.Join(", ", logs.Keys)}.");

    /// <summary>What the running Fit has recorded so far (its warnings included), set by Fit before <see cref="OnTrainBegin"/>.</summary>
    protected History? History { get; private set; }

    internal void Attach(Model model, History history)
    {
        Model = model;
        History = history;
        StopTraining = false;
    }
}

/// <summary>
/// What a Fit run will do. <see cref="WeightNames"/> are the weights that train when their layer does, frozen layers'
/// included (their norms are 0 while frozen), so that the columns stay the same when a callback unfreezes layers.
/// </summary>
public sealed record TrainingPlan(int Epochs, int StepsPerEpoch, int TrainSamples, int ValidationSamples, int BatchSize,
    IReadOnlyList<string> MetricNames, IReadOnlyList<string> WeightNames);

/// <summary>Running values during an epoch; one instance is reused for every step.</summary>
public sealed class BatchLogs
{
    internal BatchLogs(int metricCount, int weightCount)
    {
        Metrics = new double[metricCount];
        WeightGradientNorms = new double[weightCount];
    }

    /// <summary>Steps completed in this epoch.</summary>
    public int Step { get; internal set; }

    /// <summary>Samples seen in this epoch.</summary>
    public int Samples { get; internal set; }

    /// <summary>Mean loss over the epoch so far.</summary>
    public double Loss { get; internal set; }

    /// <summary>This step's loss.</summary>
    public double BatchLoss { get; internal set; }

    /// <summary>Running mean of each compiled metric, in compile order.</summary>
    public double[] Metrics { get; }

    /// <summary>Seconds since the epoch began.</summary>
    public double ElapsedSeconds { get; internal set; }

    /// <summary>This step's global gradient norm ‖g‖₂ over all trainable weights, before clipping.</summary>
    public double GradientNorm { get; internal set; }

    /// <summary>
    /// This step's gradient norm of each weight that trains when its layer does, before clipping (names:
    /// <see cref="TrainingPlan.WeightNames"/>); 0 for a weight whose layer is frozen.
    /// </summary>
    public double[] WeightGradientNorms { get; }

    /// <summary>Whether this step was skipped because the loss or a gradient was not finite.</summary>
    public bool Skipped { get; internal set; }
}
