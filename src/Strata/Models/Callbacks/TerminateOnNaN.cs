namespace Strata;

/// <summary>Ends training at the first step whose loss is NaN or infinite (Keras's TerminateOnNaN).</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The epoch and step (both 1-based) at which training was stopped, if it was.</summary>
    public (int Epoch, int Step)? StoppedAt { get; private set; }

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        if (double.IsFinite(logs.BatchLoss)) return;
        StoppedAt = (epoch + 1, logs.Step);
        StopTraining = true;
    }
}
