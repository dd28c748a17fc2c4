namespace Strata.Experiments;

/// <summary>
/// One residual run: its evaluations; the loss and each block's gradient norm on the first batch of training images before
/// any update (‖∂L/∂θ‖ over every weight of the block, ordered from the input); its steps that were not finite; its time.
/// </summary>
public sealed record ResidualRun(ResidualRunSpec Spec, IReadOnlyList<ResidualCheckpoint> Checkpoints, double InitialLoss,
    IReadOnlyList<double> BlockGradientNorms, int SkippedSteps, int? FirstNonFiniteStep, double Seconds)
{
    public double FinalAccuracy => Checkpoints[^1].TestAccuracy;

    public double BestAccuracy => Checkpoints.Max(c => c.TestAccuracy);

    /// <summary>
    /// Failed to train: a step's loss or gradient was not finite (the run diverged) or the final test accuracy is at
    /// most <see cref="BatchNormRun.FailAccuracy"/> (chance is 0.1).
    /// </summary>
    public bool Failed => SkippedSteps > 0 || !(FinalAccuracy > BatchNormRun.FailAccuracy);

    /// <summary>The largest block gradient norm over the smallest: how unevenly the blocks start to learn.</summary>
    public double GradientSpread => BlockGradientNorms.Max() / BlockGradientNorms.Min();
}
