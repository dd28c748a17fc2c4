using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

/// <summary>Keras's LayerNormalization: statistics per sample over the trailing axes, γ and β of their shape.</summary>
// Steady-step allocation is measured here, so the class runs alone with the other worker-pool tests.
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class LayerNormalizationTests
{
    internal static void Near(float[] expected, ReadOnlySpan<float> actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>Seeds γ and β away from ones and zeros, so that the checks see them.</summary>
    internal static void Randomize(PerSampleNormalization layer, int seed)
    {
        if (layer.Gamma is { } gamma) GradientChecker.Random(gamma.Shape, seed).Span.CopyTo(gamma.Value);
        if (layer.Beta is { } beta) GradientChecker.Random(beta.Shape, seed + 1).Span.CopyTo(beta.Value);
    }

    [Fact]
    public void Each_sample_is_normalized_over_its_last_axis_with_a_biased_variance()
    {
        var ln = new LayerNormalization();
        ln.Build(new Shape(4), new Random(1));
        var y = ln.Forward(Tensor.FromArray(new Shape(2, 4), 1, 2, 3, 4, 10, 20, 30, 40), training: false);
        // (x − 2.5)/√(1.25 + 0.001), and (x − 25)/√(125 + 0.001): Keras's ε = 1e-3 inside the root.
        Near([-1.34110445f, -0.44703482f, 0.44703482f, 1.34110445f], y.Span[..4]);
        Near([.. new[] { -15.0, -5, 5, 15 }.Select(v => (float)(v / Math.Sqrt(125.001)))], y.Span[4..]);
    }

    [Fact]
    public void Training_equals_inference_and_a_batch_of_one_is_fine()
    {
        var ln = new LayerNormalization(inputShape: [3, 5]);
        ln.Build(new Shape(3, 5), new Random(1));
        Randomize(ln, 2);
        var x = GradientChecker.Random(new Shape(1, 3, 5), seed: 3, scale: 2f);
        var train = ln.Forward(x, training: true).Span.ToArray();
        Assert.Equal(train, ln.Forward(x, training: false).Span.ToArray());
        Assert.Empty(ln.NonTrainableWeights);
    }

    [Fact]
    public void Several_trailing_axes_share_one_statistic_and_gamma_has_their_shape()
    {
        var ln = new LayerNormalization(axes: [1, 2, 3]); // Keras's docs: an image normalized as a whole
        ln.Build(new Shape(3, 2, 4), new Random(1));
        Assert.Equal(new Shape(3, 2, 4), ln.Gamma!.Shape);
        Assert.Equal(["gamma", "beta"], ln.Weights.Select(w => w.Name.Split('/')[1]));
        Assert.Equal(48, ln.CountParams());
        var y = ln.Forward(GradientChecker.Random(new Shape(2, 3, 2, 4), seed: 4, scale: 3f), training: true);
        for (int n = 0; n < 2; n++)
        {
            var sample = y.Span.Slice(n * 24, 24).ToArray();
            Assert.Equal(0, sample.Average(), 5);
            Assert.Equal(1, sample.Select(v => v * v).Average(), 3); // σ²/(σ² + ε)
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Gradients_match_finite_differences_on_vectors(bool center, bool scale)
    {
        var ln = new LayerNormalization(center: center, scale: scale);
        ln.Build(new Shape(5), new Random(1));
        Randomize(ln, 5);
        GradientChecker.Check(ln, GradientChecker.Random(new Shape(6, 5), seed: 6, scale: 2f));
    }

    [Theory]
    [InlineData(new[] { -1 })]          // per step of a sequence
    [InlineData(new[] { 2, 3 })]        // per row of an image
    [InlineData(new[] { -3, -2, -1 })]  // per image
    public void Gradients_match_finite_differences_on_higher_ranks(int[] axes)
    {
        var ln = new LayerNormalization(axes, epsilon: 1e-2f);
        ln.Build(new Shape(3, 2, 4), new Random(1));
        Randomize(ln, 7);
        GradientChecker.Check(ln, GradientChecker.Random(new Shape(2, 3, 2, 4), seed: 8, scale: 2f));
    }

    [Fact]
    public void Axes_that_are_not_trailing_or_name_the_batch_are_refused_with_the_layer_and_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new LayerNormalization(axis: 1, name: "ln").Build(new Shape(3, 4)));
        Assert.Contains("'ln'", e.Message);
        Assert.Contains("(None, 3, 4)", e.Message);
        Assert.Contains("last axes", e.Message);
        Assert.Contains("batch", Assert.Throws<ArgumentException>(() => new LayerNormalization(axis: 0).Build(new Shape(3))).Message);
        Assert.Contains("last axes", Assert.Throws<ArgumentException>(() => new LayerNormalization(axes: [1, 3]).Build(new Shape(2, 3, 4))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization(epsilon: 0f));
    }

    [Fact]
    public void Folding_copies_per_sample_normalizations_and_folds_a_renormalized_batch_normalization()
    {
        var model = new Sequential(new Dense(6, inputShape: [4]), new BatchNormalization(renorm: true, virtualBatchSize: 4),
            new LayerNormalization(), new Dense(8), new Reshape([2, 4]), new GroupNormalization(2), new Flatten(), new Dense(2)) { Seed = 1 };
        model.Compile(new Adam(0.01f), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(16, 4), seed: 2);
        model.Fit(x, GradientChecker.Random(new Shape(16, 2), seed: 3), epochs: 2, batchSize: 8, seed: 1);
        var folded = model.FoldBatchNormalization();
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
        Assert.Single(folded.Layers.OfType<LayerNormalization>());
        Assert.Single(folded.Layers.OfType<GroupNormalization>());
        Near(model.Predict(x).Span.ToArray(), folded.Predict(x).Span, 1e-4);
    }

    [Fact]
    public void A_steady_training_step_allocates_nothing()
    {
        var model = new Sequential(new Dense(8, inputShape: [5]), new LayerNormalization(), new Activation("relu"), new Dense(3, activation: "softmax")) { Seed = 1 };
        Assert.Equal(0, SteadyAllocations.OfTraining(model, GradientChecker.Random(new Shape(16, 5), seed: 2), classes: 3));
    }
}
