using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class NormalizationTests
{
    [Fact]
    public void Adapt_takes_the_mean_and_population_variance_per_feature_as_keras_does()
    {
        // Keras's documented example: adapt on [[0,7,4],[2,9,6],[0,7,4],[2,9,6]], call on [[0,7,4]] → [[-1,-1,-1]].
        var layer = new Normalization();
        layer.Adapt(Tensor.FromArray(new Shape(4, 3), 0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6));
        Assert.Equal([1f, 8, 5], layer.Mean.Value.ToArray());
        Assert.Equal([1f, 1, 1], layer.Variance.Value.ToArray());
        Assert.Equal(4f, layer.Count.Value[0]);
        var y = layer.Forward(Tensor.FromArray(new Shape(1, 3), 0, 7, 4), training: false);
        Assert.Equal([-1f, -1, -1], y.Span.ToArray());
        Assert.Equal(7, layer.CountParams()); // mean 3, variance 3, count 1: Keras's 2c + 1, all non-trainable
        Assert.Empty(layer.TrainableWeights);
    }

    [Fact]
    public void Axis_null_keeps_one_scalar_and_invert_undoes_it()
    {
        // Keras's example: adapt on [1..5] with axis=None, call on [1, 2, 3] → [-1.4142135, -0.70710677, 0].
        var layer = new Normalization(axis: null);
        layer.Adapt(Tensor.FromArray(new Shape(5, 1), 1, 2, 3, 4, 5));
        var y = layer.Forward(Tensor.FromArray(new Shape(3, 1), 1, 2, 3), training: false);
        Assert.Equal(-1.4142135f, y[0], 5); // x·(1/σ) − μ/σ rounds within an ulp of Keras's (x − μ)/σ
        Assert.Equal(-0.70710677f, y[1], 5);
        Assert.Equal(0f, y[2], 6);
        var inverse = new Normalization(axis: null, mean: [3f], variance: [2f], invert: true);
        inverse.Build(new Shape(1));
        var back = inverse.Forward(y, training: false);
        Assert.Equal([1f, 2, 3], back.Span.ToArray().Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void Images_keep_one_statistic_per_channel_and_a_constant_feature_stays_finite()
    {
        var x = GradientChecker.Random(new Shape(6, 2, 2, 3), seed: 3, scale: 5f);
        for (int i = 2; i < x.Length; i += 3) x[i] = 7f; // channel 2 is constant: σ² = 0, floored by ε
        var layer = new Normalization();
        layer.Adapt(x);
        Assert.Equal(new Shape(3), layer.Mean.Shape);
        var y = layer.Forward(x, training: true);
        for (int ch = 0; ch < 2; ch++)
        {
            var values = Enumerable.Range(0, x.Length / 3).Select(i => (double)y[i * 3 + ch]).ToArray();
            Assert.Equal(0, values.Average(), 5);
            Assert.Equal(1, values.Select(v => v * v).Average(), 4);
        }
        Assert.All(Enumerable.Range(0, x.Length / 3), i => Assert.Equal(0f, y[i * 3 + 2]));
    }

    [Fact]
    public void Passes_a_finite_difference_gradient_check()
    {
        var layer = new Normalization(mean: [1f, -2f, 0.5f], variance: [4f, 0.25f, 1f]);
        layer.Build(new Shape(2, 3));
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(3, 2, 3), seed: 5));
        var adapted = new Normalization(axis: 1);
        adapted.Adapt(GradientChecker.Random(new Shape(8, 2, 3), seed: 6, scale: 3f));
        GradientChecker.Check(adapted, GradientChecker.Random(new Shape(3, 2, 3), seed: 7));
    }

    [Fact]
    public void Bad_settings_and_data_are_refused_with_the_layer_named()
    {
        Assert.Throws<ArgumentException>(() => new Normalization(mean: [1f]));
        Assert.Throws<ArgumentException>(() => new Normalization(mean: [0f], variance: [-1f]));
        Assert.Throws<ArgumentException>(() => new Normalization(axis: 0));
        var e = Assert.Throws<ArgumentException>(() => new Normalization(axis: 3, name: "norm").Build(new Shape(4)));
        Assert.Contains("norm", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new Normalization(mean: [1f, 2f], variance: [1f, 1f], name: "n2").Build(new Shape(3)));
        Assert.Contains("2 mean values given for 3 features", e.Message, StringComparison.Ordinal);
        var fixedStats = new Normalization(mean: [1f], variance: [1f]);
        Assert.Throws<InvalidOperationException>(() => fixedStats.Adapt(new Tensor(new Shape(2, 3))));
        var data = new Tensor(new Shape(2, 3));
        data[4] = float.NaN;
        Assert.Throws<ArgumentException>(() => new Normalization().Adapt(data));
    }

    [Fact]
    public void Fixed_statistics_and_settings_round_trip_through_a_model_file()
    {
        var model = new Sequential(new Normalization(axis: null, mean: [2f], variance: [9f], invert: true, inputShape: [3], name: "denorm")) { Seed = 1 };
        model.Build(new Shape(3));
        string path = Path.Combine(Path.GetTempPath(), $"strata-norm-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Assert.IsType<Normalization>(Sequential.Load(path).Layers[0]);
            Assert.Null(loaded.Axis);
            Assert.True(loaded.Invert);
            Assert.Equal([2f], loaded.GivenMean!);
            Assert.Equal([9f], loaded.GivenVariance!);
            var y = loaded.Forward(Tensor.FromArray(new Shape(1, 3), 0, 1, -1), training: false);
            Assert.Equal([2f, 5, -1], y.Span.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_adapted_statistics_are_saved_so_a_loaded_model_takes_raw_inputs()
    {
        var (x, y) = Models.SequentialTests.Blobs(64, seed: 9);
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * 50f + 1000f; // raw features far from standardized
        var norm = new Normalization(inputShape: [4]);
        norm.Adapt(x);
        var model = new Sequential(norm, new Dense(3, activation: "softmax")) { Seed = 1 };
        model.Compile(new Adam(0.05f), Losses.SparseCategoricalCrossentropy, ["accuracy"]);
        model.Fit(x, y, epochs: 20, batchSize: 16, seed: 1);
        Assert.True(model.Evaluate(x, y).Metrics["accuracy"] > 0.9);
        string path = Path.Combine(Path.GetTempPath(), $"strata-norm-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Sequential.Load(path);
            var restored = Assert.IsType<Normalization>(loaded.Layers[0]);
            Assert.Equal(norm.Mean.Value.ToArray(), restored.Mean.Value.ToArray());
            Assert.Equal(64f, restored.Count.Value[0]);
            Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
