namespace Strata.Experiments;

/// <summary>
/// Counts the steps Fit skipped because their loss or a gradient was not finite, and remembers the first, counted
/// from 1 across epochs: a run that diverged is reported with the step where it did.
/// </summary>
internal sealed class SkippedStepCounter : Callback
{
    private int _step;

    /// <summary>Steps skipped so far.</summary>
    public int Count { get; private set; }

    /// <summary>The first skipped step, or null.</summary>
    public int? First { get; private set; }

    public override void OnTrainBegin(TrainingPlan plan) => (_step, Count, First) = (0, 0, null);

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        _step++;
        if (!logs.Skipped) return;
        Count++;
        First ??= _step;
    }
}
