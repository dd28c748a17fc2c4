namespace Strata;

/// <summary>
/// Ends training when a monitored value has stopped improving (Keras's EarlyStopping): after
/// <see cref="Patience"/> epochs without an improvement of more than <see cref="MinDelta"/>. Values whose name
/// contains "acc" improve upward, others (losses) downward. With <see cref="RestoreBestWeights"/> the model gets
/// back every weight (moving statistics included) of its best epoch when training stops.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, bool restoreBestWeights = false) : Callback
{
    private double _best;
    private int _wait;
    private float[][]? _bestWeights;

    public string Monitor { get; } = monitor;
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience));
    public double MinDelta { get; } = Math.Abs(minDelta);
    public bool RestoreBestWeights { get; } = restoreBestWeights;

    /// <summary>The epoch (1-based) after which training stopped, if it did.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <summary>The best epoch (1-based) so far.</summary>
    public int BestEpoch { get; private set; }

    private bool Upward => ImprovesUpward(Monitor);

    public override void OnTrainBegin(TrainingPlan plan)
    {
        _best = Upward ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _bestWeights = null;
        StoppedEpoch = null;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double value = Monitored(logs, Monitor, nameof(EarlyStopping));
        bool better = Upward ? value > _best + MinDelta : value < _best - MinDelta;
        if (better)
        {
            _best = value;
            _wait = 0;
            BestEpoch = epoch + 1;
            if (RestoreBestWeights) _bestWeights = Model!.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();
            return;
        }
        if (++_wait <= Patience) return;
        StoppedEpoch = epoch + 1;
        StopTraining = true;
    }

    public override void OnTrainEnd(History history)
    {
        if (!RestoreBestWeights || _bestWeights is null || StoppedEpoch is null) return;
        var weights = Model!.Layers.SelectMany(l => l.Weights).ToArray();
        for (int i = 0; i < weights.Length; i++) _bestWeights[i].CopyTo(weights[i].Value);
    }
}
