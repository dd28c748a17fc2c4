using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Optimizers;

/// <summary>The clipping test vectors of reference/semantics.md, Keras's numbers.</summary>
public class GradientClippingTests
{
    private static void Near(float[] expected, Span<float> actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"[{i}] expected NaN, got {actual[i]}");
            else Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void Clip_norm_and_clip_value_on_a_single_tensor()
    {
        float[] g = [0.9f, 100f];
        Assert.Equal(100.00405f, GradientClipping.ClipByNorm(g, 1f), 3);
        Near([0.00899963552f, 0.99995950246f], g);
        g = [0.9f, 100f];
        GradientClipping.ClipByValue(g, 1f);
        Near([0.9f, 1f], g);
        g = [100f, 100f];
        GradientClipping.ClipByNorm(g, 1f);
        Near([0.70710678f, 0.70710678f], g);
        g = [50f, 100f];
        Assert.Equal(111.803399f, GradientClipping.ClipByGlobalNorm(g, 1f), 3);
        Near([0.4472136f, 0.8944272f], g);
    }

    [Fact]
    public void At_or_below_the_threshold_nothing_changes_and_zero_stays_zero()
    {
        float[] g = [3f, 4f];
        GradientClipping.ClipByNorm(g, 5f);
        Assert.Equal([3f, 4f], g); // exactly: PyTorch would give 2.9999994, 3.9999992
        g = [0.3f, 0.4f];
        Assert.Equal(0.5f, GradientClipping.ClipByGlobalNorm(g, 1f), 6);
        Assert.Equal([0.3f, 0.4f], g);
        g = [0f, 0f];
        GradientClipping.ClipByNorm(g, 1f);
        Assert.Equal([0f, 0f], g);
        GradientClipping.ClipByGlobalNorm(g, 1f);
        Assert.Equal([0f, 0f], g);
    }

    [Fact]
    public void Global_and_per_tensor_norms_differ_on_two_tensors()
    {
        var (model, grads) = TwoTensors();
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(grads, 1f), 6);
        Near([0.6f, 0f], grads[0]);
        Near([0f, 0.8f], grads[1]);

        (model, grads) = TwoTensors();
        GradientClipping.ClipByNorm(grads, 1f);
        Near([1f, 0f], grads[0]);
        Near([0f, 1f], grads[1]);
        Assert.NotNull(model);
    }

    [Fact]
    public void The_infinity_norm_is_the_largest_magnitude()
    {
        float[] g = [1f, -7f, 3f];
        Assert.Equal(7f, GradientClipping.ClipByGlobalNorm(g, 1f, NormType.Infinity));
        Near([1f / 7, -1f, 3f / 7], g);
    }

    [Fact]
    public void Non_finite_gradients_are_never_hidden()
    {
        float[] g = [float.PositiveInfinity, 1f];
        GradientClipping.ClipByNorm(g, 1f);
        Near([float.NaN, 0f], g); // Keras: [NaN, 0]
        g = [float.NaN, 1f, 2f];
        GradientClipping.ClipByGlobalNorm(g, 1f);
        Assert.All(g, v => Assert.True(float.IsNaN(v))); // Keras: every gradient NaN
    }

    [Fact]
    public void Thresholds_and_combinations_are_checked()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sgd(clipValue: 1f, clipNorm: 2f));
        Assert.Contains("Only one of clipValue, clipNorm, globalClipNorm, agc and autoClipPercentile", e.Message);
        Assert.Contains("clipNorm = 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(clipNorm: 0f));   // Keras would silently ignore it
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(globalClipNorm: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(clipValue: float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(new float[2], float.NaN));
    }

    [Fact]
    public void Optimizers_clip_before_the_update()
    {
        // One weight w = 1, MSE against 0 at x = 100: g = 2·100·100·w = 20000; globalClipNorm 1 makes the step η·1.
        var model = new Sequential(new Dense(1, useBias: false, kernelInitializer: Initializers.Ones, inputShape: [1])) { Seed = 1 };
        model.Compile(new Sgd(0.1f, globalClipNorm: 1f), Losses.MeanSquaredError);
        model.TrainOnBatch(Tensor.FromArray(new Shape(1, 1), 100f), Tensor.FromArray(new Shape(1, 1), 0f));
        Assert.Equal(0.9f, model.Layers[0].Weights[0].Value[0], 6);
    }

    [Fact]
    public void A_non_finite_step_is_skipped_or_throws_and_the_weights_stay()
    {
        // float.MaxValue is finite, so the input passes; (w·x − 0)² overflows to ∞.
        var model = new Sequential(new Dense(2, kernelInitializer: Initializers.Ones, inputShape: [2])) { Seed = 1 };
        model.Compile(new Adam(), Losses.MeanSquaredError, nonFiniteGradients: NonFiniteGradients.Throw);
        var before = model.Layers[0].Weights.Select(w => w.Value.ToArray()).ToArray();
        var x = Tensor.FromArray(new Shape(1, 2), float.MaxValue, 1f);
        var e = Assert.Throws<NonFiniteGradientException>(() => model.TrainOnBatch(x, new Tensor(new Shape(1, 2))));
        Assert.Contains("left unchanged", e.Message);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], model.Layers[0].Weights[i].Value.ToArray());
        Assert.Equal(0, model.Optimizer!.Iterations);

        // In the custom loop, ApplyGradients refuses the step and says so.
        var grads = model.ComputeGradients(x, new Tensor(new Shape(1, 2)));
        Assert.False(model.Optimizer.ApplyGradients(grads));
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], model.Layers[0].Weights[i].Value.ToArray());
    }

    /// <summary>
    /// Eight tanh layers with large initial weights and a large learning rate, trained 30 epochs with
    /// <paramref name="optimizer"/>: without clipping the loss blows up. The first and last epoch's loss.
    /// </summary>
    internal static (float First, float Last, long Skipped) TrainDeepTanh(Optimizer optimizer)
    {
        var layers = new List<Layer> { new Dense(16, activation: "tanh", kernelInitializer: Initializers.RandomNormal(1.5f), inputShape: [8]) };
        for (int i = 0; i < 7; i++) layers.Add(new Dense(16, activation: "tanh", kernelInitializer: Initializers.RandomNormal(1.5f)));
        layers.Add(new Dense(1, kernelInitializer: Initializers.RandomNormal(1.5f)));
        var model = new Sequential([.. layers]) { Seed = 4 };
        model.Compile(optimizer, Losses.MeanSquaredError);
        var random = new Random(5);
        var x = new Tensor(new Shape(64, 8));
        var y = new Tensor(new Shape(64, 1));
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < 64; i++) y[i] = MathF.Sin(3 * x[i * 8]);
        var history = model.Fit(x, y, epochs: 30, batchSize: 16, seed: 6);
        return ((float)history["loss"][0], (float)history["loss"][^1], history.SkippedSteps);
    }

    [Fact]
    public void Global_clipping_tames_an_exploding_deep_tanh_network()
    {
        var plain = TrainDeepTanh(new Sgd(0.5f, momentum: 0.9f));
        var clipped = TrainDeepTanh(new Sgd(0.5f, momentum: 0.9f, globalClipNorm: 1f));
        Assert.True(clipped.Last < clipped.First, $"clipped: {clipped.First} → {clipped.Last}");
        Assert.True(clipped.Last < 0.5f * plain.Last || plain.Skipped > 0 || !float.IsFinite(plain.Last),
            $"plain {plain.First} → {plain.Last} ({plain.Skipped} skipped), clipped {clipped.First} → {clipped.Last}");
    }

    /// <summary>Gradients of a two-weight model set to [3, 0] and [0, 4].</summary>
    private static (Sequential, Gradients) TwoTensors()
    {
        var model = new Sequential(new Dense(2, useBias: false, inputShape: [1]), new Dense(1, useBias: false)) { Seed = 1 };
        model.Compile(new Sgd(), Losses.MeanSquaredError);
        var grads = model.ComputeGradients(Tensor.FromArray(new Shape(1, 1), 1f), Tensor.FromArray(new Shape(1, 1), 0f));
        float[] a = [3f, 0f], b = [0f, 4f];
        a.CopyTo(grads[0]);
        b.CopyTo(grads[1]);
        return (model, grads);
    }
}
