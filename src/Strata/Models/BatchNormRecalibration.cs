namespace Strata;

/// <summary>
/// What <see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/> did to one Batch Normalization layer.
/// </summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="Values">Values pooled per feature: samples × positions per sample (H·W after a Conv2D).</param>
/// <param name="MeanShift">The largest change of a moving mean in units of the new standard deviation, max |μ_old − μ|/√(σ² + ε).</param>
/// <param name="StddevRatio">
/// The largest ratio between the old and the new √(σ² + ε) either way (≥ 1; 1 when nothing changed): how far inference's
/// scale of a feature was off.
/// </param>
public sealed record BatchNormRecalibration(string Layer, long Values, double MeanShift, double StddevRatio);
