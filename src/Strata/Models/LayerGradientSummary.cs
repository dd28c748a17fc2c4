namespace Strata;

/// <summary>One layer's gradients over a training run (<see cref="GradientDiagnosis.Layers"/>).</summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="MedianNorm">The median of its finite per-step norms, before clipping.</param>
/// <param name="MaxNorm">The largest (∞ when a step's was not finite).</param>
/// <param name="Spikes">Steps where its norm spiked.</param>
/// <param name="LargestRatio">The largest spike's norm over its median, 0 without spikes.</param>
/// <param name="ClippedFraction">The fraction of applied steps where clipping reduced its gradient.</param>
public sealed record LayerGradientSummary(string Layer, double MedianNorm, double MaxNorm, int Spikes, double LargestRatio, double ClippedFraction);
