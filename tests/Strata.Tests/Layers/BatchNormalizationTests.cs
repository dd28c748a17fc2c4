using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

/// <summary>Keras's semantics, with the test vectors of reference/semantics.md.</summary>
public class BatchNormalizationTests
{
    private static BatchNormalization Built(int features, float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true)
    {
        var bn = new BatchNormalization(momentum: momentum, epsilon: epsilon, center: center, scale: scale);
        bn.Build(new Shape(features), new Random(1));
        return bn;
    }

    private static Tensor Column(params float[] values) => Tensor.FromArray(new Shape(values.Length, 1), values);

    private static void Near(float[] expected, Span<float> actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Training_normalizes_with_the_batch_and_updates_the_moving_statistics()
    {
        var bn = Built(1);
        var y = bn.Forward(Column(1, 2, 3, 4), training: true);
        Near([-1.34110445f, -0.44703482f, 0.44703482f, 1.34110445f], y.Span);
        Assert.Equal(0.025f, bn.MovingMean.Value[0], 6);
        Assert.Equal(1.0025f, bn.MovingVariance.Value[0], 6); // biased: 1.25, not 1.6667
    }

    [Fact]
    public void Inference_uses_the_moving_statistics()
    {
        var bn = Built(1);
        Near([0.99950037f, 1.99900075f, 2.99850112f, 3.9980015f], bn.Forward(Column(1, 2, 3, 4), training: false).Span);
        bn.Forward(Column(1, 2, 3, 4), training: true);
        Near([0.97329822f, 1.9715528f, 2.96980738f, 3.96806196f], bn.Forward(Column(1, 2, 3, 4), training: false).Span);
    }

    [Fact]
    public void A_frozen_layer_runs_in_inference_mode_and_keeps_its_statistics()
    {
        var bn = Built(1);
        bn.Trainable = false;
        Near([0.99950037f, 1.99900075f, 2.99850112f, 3.9980015f], bn.Forward(Column(1, 2, 3, 4), training: true).Span);
        Assert.Equal(0f, bn.MovingMean.Value[0]);
        Assert.Equal(1f, bn.MovingVariance.Value[0]);
        Assert.Empty(bn.TrainableWeights);
        Assert.Equal(4, bn.NonTrainableWeights.Count());
    }

    [Fact]
    public void Each_feature_has_its_own_statistics()
    {
        var bn = Built(2);
        var x = Tensor.FromArray(new Shape(4, 2), 1, 10, 2, 10, 3, 10, 4, 14);
        var y = bn.Forward(x, training: true);
        Near([-0.57725407f, -0.57725407f, -0.57725407f, 1.7317622f], Enumerable.Range(0, 4).Select(i => y[i * 2 + 1]).ToArray());
    }

    [Fact]
    public void Backward_matches_the_vector_and_its_invariants()
    {
        var bn = Built(1);
        bn.Forward(Column(1, 2, 3, 4), training: true);
        var dx = bn.Backward(Column(1, 0, 0, 0));
        Near([0.26854250f, -0.35752065f, -0.08951417f, 0.17849232f], dx.Span, 1e-5);
        Assert.Equal(-1.34110445f, bn.Gamma!.Gradient[0], 5);
        Assert.Equal(1f, bn.Beta!.Gradient[0], 6);

        // Σdx = 0 and Σdx·x̂ = 0 for any input and dy (γ = 1). The second is exact only as ε → 0:
        // Σdx·(x − μ) = γ·invStd²·Σ(dy·x̂)·ε, so take a tiny ε.
        var x = GradientChecker.Random(new Shape(16, 3), seed: 2, scale: 3f);
        var other = Built(3, epsilon: 1e-7f);
        var y = other.Forward(x, training: true).Clone(); // with γ = 1, β = 0, y is x̂
        var g = other.Backward(GradientChecker.Random(new Shape(16, 3), seed: 3));
        for (int f = 0; f < 3; f++)
        {
            double sum = 0, dot = 0;
            for (int r = 0; r < 16; r++)
            {
                sum += g[r * 3 + f];
                dot += g[r * 3 + f] * y[r * 3 + f];
            }
            Assert.True(Math.Abs(sum) < 1e-5 && Math.Abs(dot) < 1e-5, $"feature {f}: Σdx {sum}, Σdx·x̂ {dot}");
        }
    }

    [Fact]
    public void Moving_statistics_converge_as_keras_computes()
    {
        var bn = Built(1);
        var x = Column(1, 2, 3, 4);
        float[] expected = [0.2390448f, 1.5849191f, 2.4998921f];
        int step = 0;
        foreach (int k in new[] { 10, 100, 1000 })
        {
            for (; step < k; step++) bn.Forward(x, training: true);
            Assert.Equal(expected[Array.IndexOf([10, 100, 1000], k)], bn.MovingMean.Value[0], 4);
        }
    }

    [Fact]
    public void With_momentum_zero_inference_equals_training()
    {
        var bn = Built(5, momentum: 0f);
        var x = GradientChecker.Random(new Shape(8, 5), seed: 4, scale: 2f);
        var train = bn.Forward(x, training: true).Span.ToArray();
        Near(train, bn.Forward(x, training: false).Span, 1e-5);
    }

    [Fact]
    public void A_batch_of_one_is_refused_with_a_way_out()
    {
        var bn = Built(3);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(new Tensor(new Shape(1, 3)), training: true));
        Assert.Contains("dropLastPartialBatch", e.Message);
        bn.Forward(new Tensor(new Shape(1, 3)), training: false); // inference is fine
    }

    [Fact]
    public void Four_parameters_per_feature_two_of_them_non_trainable()
    {
        var bn = Built(784);
        Assert.Equal(3136, bn.CountParams());
        Assert.Equal(1568, bn.NonTrainableWeights.Sum(w => w.Size));
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance"], bn.Weights.Select(w => w.Name.Split('/')[1]));
        var bare = Built(10, center: false, scale: false);
        Assert.Empty(bare.TrainableWeights);
        Assert.Equal(20, bare.CountParams());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Gradients_match_finite_differences_on_2d_inputs(bool center, bool scale)
    {
        var bn = Built(4, center: center, scale: scale);
        if (bn.Gamma is { } gamma) GradientChecker.Random(new Shape(4), seed: 5).Span.CopyTo(gamma.Value);
        GradientChecker.Check(bn, GradientChecker.Random(new Shape(6, 4), seed: 6, scale: 2f));
    }

    [Fact]
    public void Gradients_match_finite_differences_per_channel_on_nhwc_inputs()
    {
        var bn = new BatchNormalization();
        bn.Build(new Shape(3, 2, 5), new Random(1));
        Assert.Equal(new Shape(5), bn.Gamma!.Shape);
        GradientChecker.Random(new Shape(5), seed: 7).Span.CopyTo(bn.Gamma.Value);
        GradientChecker.Check(bn, GradientChecker.Random(new Shape(2, 3, 2, 5), seed: 8, scale: 2f));
    }

    [Fact]
    public void Gradients_match_finite_differences_with_several_axes()
    {
        var bn = new BatchNormalization(axes: [1, 2]); // each pixel of [N, H, W, C] on its own
        bn.Build(new Shape(2, 3, 4), new Random(1));
        Assert.Equal(new Shape(2, 3), bn.Gamma!.Shape);
        GradientChecker.Random(new Shape(2, 3), seed: 9).Span.CopyTo(bn.Gamma.Value);
        GradientChecker.Check(bn, GradientChecker.Random(new Shape(3, 2, 3, 4), seed: 10, scale: 2f));
    }

    [Fact]
    public void A_nan_batch_never_reaches_the_moving_statistics()
    {
        var bn = Built(2);
        bn.Forward(Tensor.FromArray(new Shape(2, 2), 1, float.NaN, 3, 4), training: true);
        Assert.Equal([0f, 0f], bn.MovingMean.Value.ToArray());
        Assert.Equal([1f, 1f], bn.MovingVariance.Value.ToArray());
    }

    [Fact]
    public void Bad_axes_are_refused()
    {
        Assert.Contains("batch", Assert.Throws<ArgumentException>(() => new BatchNormalization(axis: 0).Build(new Shape(3))).Message);
        Assert.Contains("adjacent", Assert.Throws<ArgumentException>(() => new BatchNormalization(axes: [1, 3]).Build(new Shape(2, 3, 4))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(epsilon: 0f));
    }
}
