namespace Strata.Experiments;

/// <summary>One evaluation during a residual run: the step (0 before any update) and the test accuracy and loss.</summary>
public sealed record ResidualCheckpoint(int Step, double TestAccuracy, double TestLoss);
