namespace Strata.Experiments;

/// <summary>
/// One run of model B: its test error rate and loss on every sandal and shirt test image, the steps trained on the
/// cached outputs of A's frozen layers, and its time.
/// </summary>
public sealed record TransferRun(TransferRunSpec Spec, double TestError, double TestLoss, long StepsOnCachedFeatures, double Seconds);
