using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models;

/// <summary>Per-layer gradient norms in History, and the diagnosis that names the layers whose gradients spiked.</summary>
public class GradientDiagnosisTests
{
    /// <summary>Multiplies a layer's kernel by a factor at the end of one step.</summary>
    private sealed class ScaleKernelAt(int step, Dense layer, float factor) : Callback
    {
        private int _steps;

        public override void OnBatchEnd(int epoch, BatchLogs logs)
        {
            if (++_steps != step) return;
            var kernel = layer.Kernel.Value;
            for (int i = 0; i < kernel.Length; i++) kernel[i] *= factor;
        }
    }

    private static Sequential DeepBnMlp(string exploder) => new(
        new Dense(16, useBias: false, inputShape: [4], name: "first"), new BatchNormalization(), new Activation("relu"),
        new Dense(16, useBias: false, name: exploder), new BatchNormalization(), new Activation("relu"),
        new Dense(16, useBias: false, name: "third"), new BatchNormalization(), new Activation("relu"),
        new Dense(3, activation: "softmax", name: "output")) { Seed = 1 };

    [Fact]
    public void A_layer_scaled_to_explode_is_named_with_the_step_where_it_spiked()
    {
        // BN after a bias-free Dense makes its output independent of the kernel's scale and the Dense's gradient
        // inversely proportional to it: shrinking the kernel 10⁴× leaves the forward pass and every other layer's
        // gradient as they were and multiplies this layer's gradient by up to 10⁴ (less where ε = 1e-3 outweighs the shrunk
        // variance): a deep network's one exploding layer.
        var (x, y) = SequentialTests.Blobs(960, seed: 2);
        var model = DeepBnMlp("exploder");
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var exploder = (Dense)model.Layers[3];
        var history = model.Fit(x, y, epochs: 3, batchSize: 32, seed: 3, verbose: 0, callbacks: [new ScaleKernelAt(60, exploder, 1e-4f)]);

        Assert.Equal(["first", "batch_normalization", "exploder", "batch_normalization", "third", "batch_normalization", "output"],
            history.LayerGradientNorms.Layers.Select(n => n.StartsWith("batch_normalization", StringComparison.Ordinal) ? "batch_normalization" : n));
        Assert.Equal(90, history.LayerGradientNorms.Steps);
        var diagnosis = GradientDiagnosis.Of(history);
        var named = Assert.Single(diagnosis.SpikingLayers);
        Assert.Equal("exploder", named.Layer);
        Assert.True(named.LargestRatio > 100, $"{named}");
        Assert.Equal(61, diagnosis.Spikes[0].Step); // the first step computed with the shrunk kernel
        Assert.Equal(0, diagnosis.ClippedFraction);
        string report = diagnosis.Report();
        Assert.Contains("exploder: ", report, StringComparison.Ordinal);
        Assert.Contains("step 61 exploder", report, StringComparison.Ordinal);
        Assert.DoesNotContain("third:", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_healthy_run_has_no_spike()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 2);
        var model = DeepBnMlp("second");
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var diagnosis = GradientDiagnosis.Of(model.Fit(x, y, epochs: 3, batchSize: 32, seed: 3, verbose: 0));
        Assert.Empty(diagnosis.Spikes);
        Assert.Contains("No layer's gradient norm spiked.", diagnosis.Report(), StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_norms_before_clipping_are_the_weights_norms_and_after_clipping_what_the_update_used()
    {
        var (x, y) = SequentialTests.Blobs(64, seed: 4);
        Sequential Model() => new(new Dense(8, inputShape: [4], name: "hidden"), new Dense(3, activation: "softmax", name: "out")) { Seed = 5 };

        var plain = Model();
        plain.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        var history = plain.Fit(x, y, epochs: 1, batchSize: 16, seed: 6, verbose: 0);
        for (int t = 0; t < 4; t++)
        {
            var w = history.WeightGradientNorms[t]; // hidden/kernel, hidden/bias, out/kernel, out/bias
            var before = history.LayerGradientNorms.Before(t);
            Assert.Equal(Math.Sqrt(w[0] * w[0] + w[1] * w[1]), before[0], 12);
            Assert.Equal(Math.Sqrt(w[2] * w[2] + w[3] * w[3]), before[1], 12);
            Assert.Equal(before.ToArray(), history.LayerGradientNorms.After(t).ToArray());
        }

        var global = Model();
        global.Compile(new Sgd(0.1f, globalClipNorm: 0.01f), Losses.SparseCategoricalCrossentropy);
        history = global.Fit(x, y, epochs: 1, batchSize: 16, seed: 6, verbose: 0);
        for (int t = 0; t < 4; t++)
        {
            var after = history.LayerGradientNorms.After(t);
            Assert.Equal(0.01, Math.Sqrt(after[0] * after[0] + after[1] * after[1]), 6);
        }
        Assert.Equal(1, GradientDiagnosis.Of(history).ClippedFraction);

        var perWeight = Model();
        perWeight.Compile(new Sgd(0.1f, clipNorm: 0.01f), Losses.SparseCategoricalCrossentropy);
        history = perWeight.Fit(x, y, epochs: 1, batchSize: 16, seed: 6, verbose: 0);
        var first = history.LayerGradientNorms.After(0); // each of a layer's two weights clipped to 0.01
        Assert.All(first.ToArray(), n => Assert.True(n <= Math.Sqrt(2) * 0.01 + 1e-7, $"{n}"));
    }

    [Fact]
    public void Spikes_are_measured_against_each_layers_recent_median()
    {
        // Layer "steady": 1 everywhere but 20 at step 30 (index 29) and 5 at step 40; layer "early": 100 at step 5,
        // before it has a baseline; "broken": ∞ at step 50.
        const int steps = 60;
        var before = new double[steps * 3];
        for (int t = 0; t < steps; t++)
        {
            before[t * 3] = t == 29 ? 20 : t == 39 ? 5 : 1 + 0.01 * (t % 3);
            before[t * 3 + 1] = t == 4 ? 100 : 2;
            before[t * 3 + 2] = t == 49 ? double.PositiveInfinity : 0.5;
        }
        var norms = new LayerGradientNorms(["steady", "early", "broken"], before, before);
        var diagnosis = GradientDiagnosis.Of(norms, new double[steps], spikeFactor: 10);
        Assert.Equal([(30, "steady"), (50, "broken")], diagnosis.Spikes.Select(s => (s.Step, s.Layer)));
        Assert.Equal(20 / 1.01, diagnosis.Spikes[0].Ratio, 6);
        Assert.Equal(double.PositiveInfinity, diagnosis.Layers[2].MaxNorm);
        Assert.Equal(2, diagnosis.Layers[1].MedianNorm);
        Assert.Equal(0, diagnosis.ClippedFraction);
        Assert.Null(diagnosis.SuggestedClipNorm is 0 ? null : diagnosis.SuggestedClipNorm); // every global norm 0 here
    }

    [Fact]
    public void The_suggested_threshold_is_autoclips_percentile_of_the_global_norms()
    {
        double[] global = [5, 1, 4, 2, 3, double.NaN, 10];
        var norms = new LayerGradientNorms(["a"], [.. global.Select(_ => 1.0)], [.. global.Select(_ => 1.0)]);
        // Finite norms sorted 1 2 3 4 5 10; p = 10: h = 0.1·5 = 0.5 → 1 + 0.5·(2 − 1) = 1.5; p = 90: h = 4.5 → 7.5.
        Assert.Equal(1.5, GradientDiagnosis.Of(norms, global, percentile: 10).SuggestedClipNorm!.Value, 6);
        Assert.Equal(7.5, GradientDiagnosis.Of(norms, global, percentile: 90).SuggestedClipNorm!.Value, 6);
        Assert.Throws<ArgumentException>(() => GradientDiagnosis.Of(norms, [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientDiagnosis.Of(norms, global, spikeFactor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientDiagnosis.Of(norms, global, percentile: 0));
    }

    [Fact]
    public void Recording_a_step_allocates_nothing()
    {
        var norms = new LayerGradientNorms(["a", "b", "c"], [], []);
        norms.Reserve(200);
        double[] before = [1, 2, 3], after = [1, 1, 1];
        Assert.Equal(0, SteadyAllocations.Of(() => norms.Add(before, after), steps: 20, rounds: 3));

        var model = new Sequential(new Dense(8, inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 1 };
        model.Compile(new Sgd(0.1f, clipNorm: 0.5f), Losses.SparseCategoricalCrossentropy);
        model.RecordsLayerNorms = true; // as during Fit: the per-layer sums before and after clipping
        var x = GradientChecker.Random(new Shape(16, 4), seed: 2);
        var y = new Tensor(new Shape(16));
        for (int i = 0; i < 16; i++) y[i] = i % 3;
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, SteadyAllocations.Of(() => model.TrainOnBatch(x, y)));
    }
}
