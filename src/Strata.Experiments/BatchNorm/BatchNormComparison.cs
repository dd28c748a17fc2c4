namespace Strata.Experiments;

/// <summary>The main comparison of one learning rate and seed: the plain network's best and how soon BN reached it.</summary>
public sealed record BatchNormComparison(float LearningRate, int Seed, double PlainBest, int PlainStepsToBest, double BnBest, int? BnStepsToPlainBest)
{
    /// <summary>True when the plain network never beat chance: there is no accuracy of its own for BN to reach sooner.</summary>
    public bool PlainFailed => !(PlainBest > BatchNormRun.FailAccuracy);

    /// <summary>
    /// BN's steps to the plain network's best over the plain network's own steps to it; null if BN never got there or
    /// the plain network failed (a ratio of steps to chance accuracy would mean nothing).
    /// </summary>
    public double? Ratio => BnStepsToPlainBest is int s && !PlainFailed ? (double)s / PlainStepsToBest : null;
}
