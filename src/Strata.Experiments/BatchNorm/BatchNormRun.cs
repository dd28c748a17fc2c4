namespace Strata.Experiments;

/// <summary>One batchnorm run: its evaluations, its steps that were not finite, and how long it took.</summary>
public sealed record BatchNormRun(BatchNormRunSpec Spec, IReadOnlyList<BatchNormCheckpoint> Checkpoints, int SkippedSteps, int? FirstNonFiniteStep, double Seconds)
{
    /// <summary>Chance accuracy on ten balanced classes plus a margin: at or below it a network has learned nothing.</summary>
    public const double FailAccuracy = 0.2;

    public double FinalAccuracy => Checkpoints[^1].TestAccuracy;

    public double BestAccuracy => Checkpoints.Max(c => c.TestAccuracy);

    /// <summary>
    /// Failed: a step's loss or gradient was not finite (the model diverged) or the final test accuracy is at most
    /// <see cref="FailAccuracy"/> (chance is 0.1).
    /// </summary>
    public bool Failed => SkippedSteps > 0 || !(FinalAccuracy > FailAccuracy);

    /// <summary>The first evaluated step with test accuracy ≥ <paramref name="target"/>, or null if none reached it.</summary>
    public int? StepsToReach(double target) => Checkpoints.FirstOrDefault(c => c.TestAccuracy >= target)?.Step;
}
