using System.Globalization;
using System.Text;
using Strata.Optimizers;

namespace Strata;

/// <summary>
/// What a training run's gradients say, from its <see cref="History"/> (or the per-step file <c>strata train --output</c>
/// writes): which layers' gradient norms spiked and at which steps, what fraction of steps clipping changed, and a
/// clip threshold read from the run. The report users otherwise write by hand from per-layer norm logs.
/// </summary>
/// <remarks>
/// A <b>spike</b> is a step where a layer's norm before clipping is above <see cref="SpikeFactor"/> times the median of
/// that layer's finite norms over the <see cref="Window"/> steps before it (at least <see cref="MinimumHistory"/> of
/// them), or is not finite: a median, unlike a mean or a maximum, is not moved by the spikes themselves, and a
/// per-layer baseline lets a layer whose gradients are always small spike too. A step is <b>clipped</b> when clipping
/// reduced some layer's norm by more than one part in a million. The <b>suggested threshold</b> is AutoClip's
/// (Seetharaman et al. 2020): the <see cref="Percentile"/>-th percentile of the run's finite global norms, by linear
/// interpolation, as <c>autoClip</c> computes it (<see cref="GradientNormHistory"/>); as a fixed
/// <c>globalClipNorm</c> it would have scaled down about (100 − p) % of the steps.
/// </remarks>
public sealed class GradientDiagnosis
{
    /// <summary>Finite norms a layer needs before its step can be called a spike.</summary>
    public const int MinimumHistory = 10;

    private GradientDiagnosis(int steps, double spikeFactor, int window, float percentile, IReadOnlyList<GradientSpike> spikes,
        IReadOnlyList<LayerGradientSummary> layers, double clippedFraction, double? suggested)
    {
        (Steps, SpikeFactor, Window, Percentile) = (steps, spikeFactor, window, percentile);
        (Spikes, Layers, ClippedFraction, SuggestedClipNorm) = (spikes, layers, clippedFraction, suggested);
    }

    /// <summary>Steps diagnosed.</summary>
    public int Steps { get; }

    /// <summary>k: a spike is a norm above k times the layer's recent median.</summary>
    public double SpikeFactor { get; }

    /// <summary>Steps before each step whose median is its baseline.</summary>
    public int Window { get; }

    /// <summary>The percentile of the global norms the suggested threshold is.</summary>
    public float Percentile { get; }

    /// <summary>Every spike, by step then layer order.</summary>
    public IReadOnlyList<GradientSpike> Spikes { get; }

    /// <summary>Every layer with trainable weights, in model order.</summary>
    public IReadOnlyList<LayerGradientSummary> Layers { get; }

    /// <summary>The layers that spiked, most spikes first (then the largest ratio).</summary>
    public IReadOnlyList<LayerGradientSummary> SpikingLayers =>
        [.. Layers.Where(l => l.Spikes > 0).OrderByDescending(l => l.Spikes).ThenByDescending(l => l.LargestRatio)];

    /// <summary>The fraction of applied steps (not skipped) where clipping reduced some layer's gradient.</summary>
    public double ClippedFraction { get; }

    /// <summary>AutoClip's threshold from the run's global norms, or null without a finite norm.</summary>
    public double? SuggestedClipNorm { get; }

    /// <summary>Diagnoses a run's <see cref="History"/>.</summary>
    public static GradientDiagnosis Of(History history, double spikeFactor = 10, int window = 50, float percentile = 10)
    {
        ArgumentNullException.ThrowIfNull(history);
        return Of(history.LayerGradientNorms, history.GradientNorms, spikeFactor, window, percentile);
    }

    /// <summary>Diagnoses per-layer norms and the global norm of each step (a run read back from its files).</summary>
    /// <exception cref="ArgumentException">The global norms are not one per step, or a setting is out of range.</exception>
    public static GradientDiagnosis Of(LayerGradientNorms norms, IReadOnlyList<double> globalNorms, double spikeFactor = 10, int window = 50, float percentile = 10)
    {
        ArgumentNullException.ThrowIfNull(norms);
        ArgumentNullException.ThrowIfNull(globalNorms);
        if (!(spikeFactor > 1) || !double.IsFinite(spikeFactor))
            throw new ArgumentOutOfRangeException(nameof(spikeFactor), spikeFactor, "GradientDiagnosis: the spike factor must be finite and above 1.");
        if (window < MinimumHistory)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"GradientDiagnosis: the window must hold at least {MinimumHistory} steps.");
        if (globalNorms.Count != norms.Steps)
            throw new ArgumentException($"GradientDiagnosis: {globalNorms.Count} global norms for {norms.Steps} steps of per-layer norms.", nameof(globalNorms));
        var percentileOf = new GradientNormHistory(percentile); // validates the percentile

        int steps = norms.Steps, layers = norms.Layers.Count;
        var spikes = new List<GradientSpike>();
        var recent = new Queue<double>[layers];
        for (int l = 0; l < layers; l++) recent[l] = new Queue<double>(window);
        var sorted = new double[window];
        int[] spikeCount = new int[layers], clippedCount = new int[layers];
        double[] largest = new double[layers];
        int applied = 0, clipped = 0;
        for (int t = 0; t < steps; t++)
        {
            var before = norms.Before(t);
            var after = norms.After(t);
            bool skipped = double.IsNaN(after.Length == 0 ? 0 : after[0]);
            bool stepClipped = false;
            for (int l = 0; l < layers; l++)
            {
                double norm = before[l];
                var history = recent[l];
                if (history.Count >= MinimumHistory)
                {
                    history.CopyTo(sorted, 0);
                    Array.Sort(sorted, 0, history.Count);
                    double median = sorted[history.Count / 2];
                    if (!double.IsFinite(norm) || (median > 0 && norm > spikeFactor * median))
                    {
                        var spike = new GradientSpike(t + 1, norms.Layers[l], norm, median);
                        spikes.Add(spike);
                        spikeCount[l]++;
                        largest[l] = Math.Max(largest[l], spike.Ratio);
                    }
                }
                if (double.IsFinite(norm))
                {
                    if (history.Count == window) history.Dequeue();
                    history.Enqueue(norm);
                }
                if (!skipped && after[l] < norm * (1 - 1e-6))
                {
                    clippedCount[l]++;
                    stepClipped = true;
                }
            }
            if (skipped) continue;
            applied++;
            if (stepClipped) clipped++;
        }
        foreach (double g in globalNorms)
            if (double.IsFinite(g)) percentileOf.Add((float)g);

        var summaries = new LayerGradientSummary[layers];
        for (int l = 0; l < layers; l++)
        {
            var finite = new List<double>(steps);
            bool infinite = false;
            for (int t = 0; t < steps; t++)
            {
                double n = norms.Before(t)[l];
                if (double.IsFinite(n)) finite.Add(n);
                else infinite = true;
            }
            finite.Sort();
            summaries[l] = new LayerGradientSummary(norms.Layers[l], finite.Count == 0 ? double.NaN : finite[finite.Count / 2],
                infinite ? double.PositiveInfinity : finite.Count == 0 ? double.NaN : finite[^1], spikeCount[l], largest[l],
                applied == 0 ? 0 : clippedCount[l] / (double)applied);
        }
        return new GradientDiagnosis(steps, spikeFactor, window, percentile, spikes, summaries,
            applied == 0 ? 0 : clipped / (double)applied, percentileOf.Norms.Count == 0 ? null : percentileOf.Threshold);
    }

    /// <summary>The most spikes <see cref="Report"/> lists one by one; beyond them it counts.</summary>
    public const int ReportedSpikes = 10;

    /// <summary>The report in words: the spiking layers with their worst steps, the clipped fraction, the suggested threshold.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"Gradient diagnosis of {Steps} steps (a spike: a layer's norm over {SpikeFactor:G3}× its median of the {Window} steps before).\n");
        var spiking = SpikingLayers;
        if (spiking.Count == 0)
        {
            text.Append("No layer's gradient norm spiked.\n");
        }
        else
        {
            foreach (var layer in spiking)
            {
                var worst = Spikes.Where(s => s.Layer == layer.Layer).OrderByDescending(s => s.Ratio).Take(3).Select(s => s.Step).Order();
                text.Append(c, $"  {layer.Layer}: {layer.Spikes} spike(s), the largest {Ratio(layer.LargestRatio)} its recent median (its median over the run: {layer.MedianNorm:G3}); worst at step(s) {string.Join(", ", worst)}\n");
            }
            var first = Spikes.Take(ReportedSpikes).Select(s => string.Create(c, $"step {s.Step} {s.Layer} {s.Norm:G3} ({Ratio(s.Ratio)})"));
            text.Append("First spikes: ").Append(string.Join("; ", first));
            if (Spikes.Count > ReportedSpikes) text.Append(c, $"; … {Spikes.Count - ReportedSpikes} more");
            text.Append('\n');
        }
        text.Append(c, $"Clipping changed the gradients of {ClippedFraction * 100:F1}% of the applied steps.\n");
        if (SuggestedClipNorm is double threshold)
            text.Append(c, $"Suggested globalClipNorm: {threshold:G4} (the {Percentile:G}th percentile of the global norms, AutoClip's threshold; autoClip {Percentile:G} adapts it as training goes).\n");
        return text.ToString();
    }

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("G3", CultureInfo.InvariantCulture) + "×" : "not finite, ∞×";
}
