using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Optimizers;

/// <summary>Adaptive gradient clipping (Brock et al. 2021) on hand-computed vectors, on every layout, and in training.</summary>
public class UnitwiseClippingTests
{
    private static readonly Tensor X = Tensor.FromArray(new Shape(1, 3), 1f, 2f, 3f), Y = Tensor.FromArray(new Shape(1, 1), 0f);

    /// <summary>Dense(2) on 3 inputs (kernel [3, 2], bias [2]) → Dense(1) (kernel [2, 1], bias [1]), with gradients to overwrite.</summary>
    private static (Sequential Model, Gradients Gradients) TwoDense(Optimizer optimizer)
    {
        var model = new Sequential(new Dense(2, inputShape: [3], name: "hidden"), new Dense(1, name: "out")) { Seed = 1 };
        model.Compile(optimizer, Losses.MeanSquaredError);
        var gradients = model.ComputeGradients(X, Y);
        // Kernel [3, 2] row-major: unit 0 is the column (1, 2, 2), ‖W₀‖ = 3; unit 1 is (0, 3, 4), ‖W₁‖ = 5.
        float[][] weights = [[1, 0, 2, 3, 2, 4], [0, 2], [0.6f, 0.8f], [0]];
        // Unit 0's gradient (0.3, 0, 0.4) has norm 0.5; unit 1's (0.1, 0.2, 0.2) has 0.3.
        float[][] grads = [[0.3f, 0.1f, 0, 0.2f, 0.4f, 0.2f], [-0.5f, 0.1f], [3, 4], [1]];
        for (int i = 0; i < 4; i++)
        {
            weights[i].CopyTo(model.Layers[i / 2].Weights[i % 2].Value);
            grads[i].CopyTo(gradients[i]);
        }
        return (model, gradients);
    }

    private static void Near(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Hand_computed_units_are_clipped_against_their_own_weights()
    {
        // λ = 0.1, ε = 1e-3.
        // Kernel unit 0: 0.5 > 0.1·3 → scaled by 0.3/0.5 = 0.6: (0.18, 0, 0.24). Unit 1: 0.3 ≤ 0.1·5, unchanged.
        // Bias: unit 0 has w = 0, floored to ε: |−0.5| > 0.1·1e-3 → −1e-4. Unit 1: |0.1| ≤ 0.1·2, unchanged.
        // The final layer is left alone by default, though its gradients are far over: (3, 4) against ‖W‖ = 1.
        var (_, grads) = TwoDense(new Sgd(1f, agc: 0.1f));
        new UnitwiseClipping(grads.Slab, 0.1f, 1e-3f, excludeLast: true, []).Apply(grads.Slab);
        Near([0.18f, 0.1f, 0, 0.2f, 0.24f, 0.2f], grads[0]);
        Near([-1e-4f, 0.1f], grads[1]);
        Assert.Equal([3f, 4f], grads[2].ToArray());
        Assert.Equal([1f], grads[3].ToArray());

        // Without the exclusion: (3, 4) has norm 5 against 0.1·1 → scaled by 0.02; the zero bias's 1 → 1e-4.
        (_, grads) = TwoDense(new Sgd(1f, agc: 0.1f));
        new UnitwiseClipping(grads.Slab, 0.1f, 1e-3f, excludeLast: false, []).Apply(grads.Slab);
        Near([0.06f, 0.08f], grads[2]);
        Near([1e-4f], grads[3]);
    }

    [Fact]
    public void The_optimizer_clips_against_the_weights_before_its_update()
    {
        var (model, grads) = TwoDense(new Sgd(1f, agc: 0.1f) { AgcExclude = ["hidden/bias"] });
        Assert.True(model.Optimizer!.ApplyGradients(grads));
        // w ← w − 1·clip(g): the kernel as above; the bias now excluded by name; the last layer by default.
        Near([1 - 0.18f, -0.1f, 2, 3 - 0.2f, 2 - 0.24f, 4 - 0.2f], model.Layers[0].Weights[0].Value);
        Near([0.5f, 1.9f], model.Layers[0].Weights[1].Value);
        Near([0.6f - 3, 0.8f - 4], model.Layers[1].Weights[0].Value);

        // A layer's name excludes all of its weights.
        (model, grads) = TwoDense(new Sgd(1f, agc: 0.1f) { AgcExclude = ["hidden"], AgcExcludeLast = false });
        model.Optimizer!.ApplyGradients(grads);
        Near([1 - 0.3f, -0.1f, 2, 3 - 0.2f, 2 - 0.4f, 4 - 0.2f], model.Layers[0].Weights[0].Value);
        Near([0.6f - 0.06f, 0.8f - 0.08f], model.Layers[1].Weights[0].Value);
    }

    /// <summary>AGC by the formula, in double, for a weight whose units are its last axis (rank ≥ 2) or its elements.</summary>
    private static float[] Reference(Weight weight, float[] w, float[] g, float lambda, float epsilon)
    {
        int units = weight.Shape.Rank >= 2 ? weight.Shape[^1] : 1;
        var result = (float[])g.Clone();
        if (weight.Shape.Rank < 2)
        {
            for (int i = 0; i < g.Length; i++)
            {
                double limit = lambda * Math.Max(Math.Abs(w[i]), epsilon);
                if (Math.Abs(g[i]) > limit) result[i] = (float)(g[i] * limit / Math.Abs(g[i]));
            }
            return result;
        }
        for (int u = 0; u < units; u++)
        {
            double w2 = 0, g2 = 0;
            for (int i = u; i < g.Length; i += units)
            {
                w2 += (double)w[i] * w[i];
                g2 += (double)g[i] * g[i];
            }
            double limit = lambda * Math.Max(Math.Sqrt(w2), epsilon), norm = Math.Sqrt(g2);
            if (norm > limit)
                for (int i = u; i < g.Length; i += units) result[i] = (float)(g[i] * (limit / norm));
        }
        return result;
    }

    /// <summary>Applies AGC to random weights and gradients of every trainable weight of <paramref name="model"/>, against the formula.</summary>
    internal static void CheckEveryWeightAgainstTheFormula(Sequential model, Tensor x, Tensor y, float lambda)
    {
        var grads = model.ComputeGradients(x, y);
        var random = new Random(9);
        var before = new List<(float[] W, float[] G)>();
        for (int i = 0; i < grads.Count; i++)
        {
            var weight = grads.Weights[i];
            var w = weight.Value;
            for (int j = 0; j < w.Length; j++) w[j] = (float)(random.NextDouble() - 0.5);
            if (w.Length > 2) w[1] = 0; // a floored element or a smaller unit
            var g = grads[i];
            for (int j = 0; j < g.Length; j++) g[j] = (float)((random.NextDouble() - 0.5) * (j % 3 == 0 ? 10 : 0.01));
            before.Add((w.ToArray(), g.ToArray()));
        }
        new UnitwiseClipping(grads.Slab, lambda, 1e-3f, excludeLast: false, []).Apply(grads.Slab);
        bool clipped = false;
        for (int i = 0; i < grads.Count; i++)
        {
            var expected = Reference(grads.Weights[i], before[i].W, before[i].G, lambda, 1e-3f);
            var actual = grads[i].ToArray();
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-6 * Math.Max(1e-3, Math.Abs(expected[j])), $"{grads.Weights[i].Name}[{j}]: {actual[j]} vs {expected[j]}");
            clipped |= !expected.SequenceEqual(before[i].G);
        }
        Assert.True(clipped, "the test's gradients were meant to be over the threshold somewhere");
    }

    [Fact]
    public void Conv_batch_norm_and_recurrent_weights_clip_by_their_last_axis()
    {
        // Conv2D kernel [kh, kw, cin, cout]: a unit is a filter; BN's γ and β: elements.
        var conv = new Sequential(new Conv2D(3, 2, inputShape: [4, 4, 2]), new BatchNormalization(), new Flatten(), new Dense(2)) { Seed = 2 };
        conv.Compile(new Sgd(), Losses.MeanSquaredError);
        CheckEveryWeightAgainstTheFormula(conv, new Tensor(new Shape(2, 4, 4, 2)), new Tensor(new Shape(2, 2)), 0.05f);

        // Recurrent kernels [in, gates·units] and [units, gates·units]: a unit is one gate unit's column, in each
        // tensor apart; GRU's reset-after bias [2, 3·units] is a rank-2 weight, so its two rows are one unit per column.
        var rnn = new Sequential(new Lstm(3, returnSequences: true, inputShape: [5, 2]), new Gru(2, returnSequences: true, resetAfter: true), new SimpleRnn(2), new Dense(1)) { Seed = 3 };
        rnn.Compile(new Sgd(), Losses.MeanSquaredError);
        CheckEveryWeightAgainstTheFormula(rnn, new Tensor(new Shape(2, 5, 2)), new Tensor(new Shape(2, 1)), 0.05f);
    }

    [Fact]
    public void Settings_are_checked_like_the_fixed_thresholds()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sgd(agc: 0.01f, globalClipNorm: 1f));
        Assert.Contains("Only one of clipValue, clipNorm, globalClipNorm, agc and autoClipPercentile", e.Message);
        Assert.Contains("agc = 0.01", e.Message);
        Assert.Throws<ArgumentException>(() => new Adam(agc: 0.01f, autoClipPercentile: 10f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(agc: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(agc: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(agc: 0.01f) { AgcEpsilon = 0f });
        Assert.Throws<InvalidOperationException>(() => new Sgd() { AgcEpsilon = 1e-4f });
        Assert.Throws<InvalidOperationException>(() => new RmsProp() { AgcExcludeLast = false });

        var (model, _) = TwoDense(new Sgd(agc: 0.01f) { AgcExclude = ["hiden"] });
        var unknown = Assert.Throws<InvalidOperationException>(() => model.TrainOnBatch(X, Y));
        Assert.Contains("'hiden'", unknown.Message);
        Assert.Contains("hidden/kernel", unknown.Message);
    }

    [Fact]
    public void Agc_trains_an_unnormalized_deep_network()
    {
        // The exploding deep tanh regression of GradientClippingTests, at rate 0.5 and momentum 0.9 (unclipped, it
        // overflows). AGC on every layer trains it (here 20 → 0.5; globalClipNorm 1 gets 26 → 8). By default the
        // final layer is left out, as Brock et al. do for their classifiers; that layer alone then explodes.
        var (first, last, skipped) = GradientClippingTests.TrainDeepTanh(new Sgd(0.5f, momentum: 0.9f, agc: 0.05f) { AgcExcludeLast = false });
        Assert.True(float.IsFinite(last) && last < 0.1f * first && skipped == 0, $"{first} → {last}, {skipped} skipped");
    }
}
