namespace Strata.Experiments;

/// <summary>Model A of one network (with BatchNormalization or not): its accuracy on the eight classes' test images and its training time.</summary>
public sealed record TransferSource(bool BatchNorm, double TestAccuracy, double Seconds);
