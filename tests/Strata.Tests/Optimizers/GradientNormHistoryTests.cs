using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Optimizers;

/// <summary>AutoClip (Seetharaman et al. 2020): thresholds from a known sequence of norms, by hand and in the optimizer.</summary>
public class GradientNormHistoryTests
{
    private static double[] Thresholds(float percentile, params float[] norms)
    {
        var history = new GradientNormHistory(percentile);
        return [.. norms.Select(history.Add)];
    }

    private static void Near(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"step {i + 1}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Thresholds_of_a_known_sequence()
    {
        // Norms 4, 1, 3, 2, 10. With n norms sorted, h = p(n − 1)/100 and P = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).
        // p = 10: [4] → 4; [1, 4], h = 0.1 → 1.3; [1, 3, 4], h = 0.2 → 1.4; [1, 2, 3, 4], h = 0.3 → 1.3; [1, 2, 3, 4, 10], h = 0.4 → 1.4.
        Near([4, 1.3, 1.4, 1.3, 1.4], Thresholds(10, 4, 1, 3, 2, 10));
        // p = 50, the median: 4; 2.5; 3; 2.5; 3.
        Near([4, 2.5, 3, 2.5, 3], Thresholds(50, 4, 1, 3, 2, 10));
        // p = 100, the largest so far: never clips the step that set it.
        Near([4, 4, 4, 4, 10], Thresholds(100, 4, 1, 3, 2, 10));
        // p = 75 over ties: [2, 2, 2, 5], h = 2.25 → 2 + 0.25·3 = 2.75.
        Assert.Equal(2.75, Thresholds(75, 2, 5, 2, 2)[^1], 12);
    }

    [Fact]
    public void The_heaps_give_the_percentile_of_the_sorted_history()
    {
        foreach (float p in new[] { 0.5f, 10f, 33.3f, 50f, 90f, 100f })
        {
            var random = new Random((int)(p * 10));
            var history = new GradientNormHistory(p);
            var all = new List<float>();
            for (int step = 0; step < 600; step++)
            {
                float norm = step % 7 == 0 ? 1f : (float)(random.NextDouble() * (step % 50 == 0 ? 1000 : 3));
                all.Add(norm);
                double actual = history.Add(norm);
                var sorted = all.Order().ToArray();
                double h = (double)p * (sorted.Length - 1) / 100;
                int k = (int)Math.Floor(h);
                double expected = h == k ? sorted[k] : sorted[k] + (h - k) * ((double)sorted[k + 1] - sorted[k]);
                Assert.Equal(expected, actual);
            }
            Assert.Equal(all, history.Norms);
        }
    }

    [Fact]
    public void A_restored_history_gives_the_same_thresholds()
    {
        var a = new GradientNormHistory(10);
        foreach (float n in new[] { 5f, 0.5f, 2f, 9f }) a.Add(n);
        var b = new GradientNormHistory(10);
        b.Add(100f);
        b.Restore([.. a.Norms]);
        Assert.Equal(a.Norms, b.Norms);
        Assert.Equal(a.Add(3f), b.Add(3f));
    }

    [Fact]
    public void The_optimizer_clips_the_global_norm_to_the_percentile_of_its_history()
    {
        // One Dense(1) kernel [2, 1] starting at 0, SGD at rate 1: each step w ← w − s·g with s = min(1, P/‖g‖).
        // Norms 4, 1, 3, 2, 10 at p = 10 give thresholds 4, 1.3, 1.4, 1.3, 1.4: scales 1, 1, 1.4/3, 0.65, 0.14.
        var model = new Sequential(new Dense(1, useBias: false, kernelInitializer: Initializers.Zeros, inputShape: [2])) { Seed = 1 };
        var optimizer = new Sgd(1f, autoClipPercentile: 10f);
        model.Compile(optimizer, Losses.MeanSquaredError);
        float[][] steps = [[0, 4], [1, 0], [3, 0], [0, 2], [6, 8]];
        double[] scales = [1, 1, 1.4 / 3, 0.65, 0.14];
        double w0 = 0, w1 = 0;
        for (int s = 0; s < steps.Length; s++)
        {
            var grads = model.ComputeGradients(Tensor.FromArray(new Shape(1, 2), 1f, 1f), Tensor.FromArray(new Shape(1, 1), 0f));
            steps[s].CopyTo(grads[0]);
            Assert.True(optimizer.ApplyGradients(grads));
            w0 -= scales[s] * steps[s][0];
            w1 -= scales[s] * steps[s][1];
            var w = model.Layers[0].Weights[0].Value;
            Assert.Equal(w0, w[0], 5);
            Assert.Equal(w1, w[1], 5);
        }
        Assert.Equal([4f, 1f, 3f, 2f, 10f], optimizer.NormHistory!.Norms);
        Assert.Equal(1.4, optimizer.NormHistory.Threshold, 6);
    }

    [Fact]
    public void Percentiles_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(autoClipPercentile: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(autoClipPercentile: 100.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(autoClipPercentile: float.NaN));
        Assert.Equal(100f, new Nadam(autoClipPercentile: 100f).AutoClipPercentile);
        var e = Assert.Throws<ArgumentException>(() => new Sgd(clipValue: 1f, autoClipPercentile: 10f));
        Assert.Contains("autoClipPercentile = 10", e.Message);
    }

    [Fact]
    public void AutoClip_trains_a_deep_network_that_diverges_without_it()
    {
        // The deep tanh regression of GradientClippingTests at rate 0.1, momentum 0.9: unclipped its loss ends above
        // where it began (here 11 → 23); AutoClip at p = 10 brings it down (11 → 1.3). At rate 0.5 the norms explode
        // from the first step, so their percentile does too and AutoClip cannot help: it adapts to the history it sees.
        var plain = GradientClippingTests.TrainDeepTanh(new Sgd(0.1f, momentum: 0.9f));
        var (first, last, skipped) = GradientClippingTests.TrainDeepTanh(new Sgd(0.1f, momentum: 0.9f, autoClipPercentile: 10f));
        Assert.True(float.IsFinite(last) && last < 0.25f * first && last < plain.Last && skipped == 0,
            $"AutoClip {first} → {last} ({skipped} skipped); unclipped {plain.First} → {plain.Last}");
    }
}
