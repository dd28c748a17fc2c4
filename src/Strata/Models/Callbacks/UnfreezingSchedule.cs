namespace Strata;

/// <summary>
/// Unfreezes a reused network on a schedule during one Fit: the texts' recipe (Géron ch. 11) of training a new head
/// on frozen layers for a few epochs, then unfreezing them at a lower learning rate, or a gradual unfreezing of one
/// more group of layers each epoch (Howard &amp; Ruder 2018). Each <see cref="UnfreezeStep"/> runs at the start of its
/// epoch; the next training step packs the new trainable set and the optimizer keeps each weight's state. A resumed
/// Fit (<c>initialEpoch</c>) first applies the steps of the epochs it skips, so that it trains what the unbroken run
/// would have. A frozen BatchNormalization stays in inference mode when unfrozen unless the step asks for batch
/// statistics (see <see cref="Model.Unfreeze"/>).
/// </summary>
public sealed class UnfreezingSchedule : Callback
{
    private readonly UnfreezeStep[] _steps;
    private bool _caughtUp;

    /// <exception cref="ArgumentException">No step, or one with a negative epoch.</exception>
    public UnfreezingSchedule(params UnfreezeStep[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Length == 0) throw new ArgumentException("An UnfreezingSchedule needs at least one step.", nameof(steps));
        foreach (var step in steps)
        {
            ArgumentNullException.ThrowIfNull(step, nameof(steps));
            if (step.Epoch < 0) throw new ArgumentException($"UnfreezingSchedule: epoch {step.Epoch} of a step is negative; epochs count from 0.", nameof(steps));
            if (!(step.LearningRateMultiplier >= 0) || !float.IsFinite(step.LearningRateMultiplier))
                throw new ArgumentException($"UnfreezingSchedule: the learning-rate multiplier {step.LearningRateMultiplier} must be finite and not negative.", nameof(steps));
        }
        _steps = [.. steps.OrderBy(s => s.Epoch)];
    }

    /// <summary>One step: unfreezes <paramref name="layers"/> at the start of <paramref name="epoch"/>.</summary>
    public UnfreezingSchedule(int epoch, Range layers, float learningRateMultiplier = 1f, bool batchStatistics = false)
        : this(new UnfreezeStep(epoch, layers, learningRateMultiplier, batchStatistics)) { }

    /// <summary>The steps, by epoch.</summary>
    public IReadOnlyList<UnfreezeStep> Steps => _steps;

    public override void OnTrainBegin(TrainingPlan plan) => _caughtUp = false;

    public override void OnEpochBegin(int epoch)
    {
        var model = Model!;
        foreach (var step in _steps)
        {
            if (step.Epoch != epoch && (_caughtUp || step.Epoch > epoch)) continue;
            model.Unfreeze(step.Layers, step.BatchStatistics);
            model.SetLearningRateMultiplier(step.Layers, step.LearningRateMultiplier);
        }
        _caughtUp = true;
    }
}
