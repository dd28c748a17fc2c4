namespace Strata;

/// <summary>
/// One step of an <see cref="UnfreezingSchedule"/>: at the start of epoch <paramref name="Epoch"/> (from 0), the
/// layers <paramref name="Layers"/> of <see cref="Model.Layers"/> are unfrozen (<see cref="Model.Unfreeze"/>, with
/// <paramref name="BatchStatistics"/>) and train at <paramref name="LearningRateMultiplier"/> times the optimizer's rate.
/// </summary>
public sealed record UnfreezeStep(int Epoch, Range Layers, float LearningRateMultiplier = 1f, bool BatchStatistics = false);
