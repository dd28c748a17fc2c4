using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests;

/// <summary>MAE, Huber, and the (n,) targets Keras takes for an (n, 1) output, shared by every elementwise loss.</summary>
public class RegressionLossesTests
{
    [Fact]
    public void Mean_absolute_error_averages_over_outputs_then_samples()
    {
        var p = Tensor.FromArray(new Shape(2, 2), 1, 2, 3, 4);
        var t = Tensor.FromArray(new Shape(2, 2), 0, 0, 3, 2);
        var grad = new float[4];
        Assert.Equal((0.5 * (1 + 2) + 0.5 * (0 + 2)) / 2, Losses.MeanAbsoluteError.Compute(p, t, grad), 6);
        Assert.Equal([0.25f, 0.25f, 0f, 0.25f], grad); // sign(p − t)/(n·c), 0 where p = t
        Assert.Same(Losses.MeanAbsoluteError, Losses.Get("mae"));
        Assert.Same(Losses.MeanAbsoluteError, Losses.Get("mean_absolute_error"));
    }

    [Fact]
    public void Huber_is_quadratic_inside_delta_and_linear_beyond()
    {
        var p = Tensor.FromArray(new Shape(1, 3), 0.5f, 2f, -3f);
        var t = new Tensor(new Shape(1, 3));
        var grad = new float[3];
        // δ = 1: ½·0.25, 1·(2 − ½), 1·(3 − ½)
        Assert.Equal((0.125 + 1.5 + 2.5) / 3, Losses.Huber().Compute(p, t, grad), 6);
        Assert.Equal([0.5f / 3, 1f / 3, -1f / 3], grad);
        // δ = 2: ½·0.25, ½·4, 2·(3 − 1)
        Assert.Equal((0.125 + 2 + 4) / 3, Losses.Huber(delta: 2f).Compute(p, t, []), 6);
        Assert.Equal(1f, Losses.Huber().Delta);
        Assert.Same(Losses.Huber(), Losses.Get("huber"));
        Assert.Equal("huber", Losses.Huber(3f).Name);
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Huber(bad));
    }

    [Theory]
    [InlineData("mean_squared_error")]
    [InlineData("mean_absolute_error")]
    [InlineData("huber")]
    [InlineData("binary_crossentropy")]
    [InlineData("binary_crossentropy_from_logits")]
    public void Targets_n_for_an_n_by_1_output_are_taken_and_other_shapes_refused_naming_both(string name)
    {
        var loss = LossesTests.ByName(name);
        var p = Tensor.FromArray(new Shape(4, 1), 0.1f, 0.7f, 0.4f, 0.9f);
        var column = Tensor.FromArray(new Shape(4, 1), 0, 1, 1, 0);
        var flat = Tensor.FromArray(new Shape(4), 0, 1, 1, 0);
        float[] gColumn = new float[4], gFlat = new float[4];
        Assert.Equal(loss.Compute(p, column, gColumn), loss.Compute(p, flat, gFlat));
        Assert.Equal(gColumn, gFlat);
        // And the other way round: (n,) predictions with (n, 1) targets.
        Assert.Equal(loss.Compute(p, column, []), loss.Compute(Tensor.FromArray(new Shape(4), 0.1f, 0.7f, 0.4f, 0.9f), column, []));

        var e = Assert.Throws<ArgumentException>(() => loss.Compute(p, new Tensor(new Shape(4, 2)), []));
        Assert.Contains($"Loss '{loss.Name}': predictions (4, 1) need targets (4, 1) or (4,); got (4, 2)", e.Message, StringComparison.Ordinal);
        var wide = new Tensor(new Shape(4, 3));
        e = Assert.Throws<ArgumentException>(() => loss.Compute(wide, flat, [])); // (n,) never broadcasts over 3 outputs
        Assert.Contains("predictions (4, 3) need targets (4, 3); got (4,)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dense_1_regression_trains_the_same_on_n_and_n_by_1_targets_and_refuses_others_before_a_step()
    {
        var random = new Random(3);
        var x = new Tensor(new Shape(32, 3));
        for (int i = 0; i < x.Length; i++) x[i] = (float)Initializers.NextGaussian(random);
        var flat = new Tensor(new Shape(32));
        for (int i = 0; i < 32; i++) flat[i] = 2 * x[i, 0] - x[i, 2] + 0.5f;
        var column = new Tensor(new Shape(32, 1), flat.Span.ToArray());

        foreach (var loss in new Loss[] { Losses.MeanSquaredError, Losses.MeanAbsoluteError, Losses.Huber() })
        {
            Sequential Make()
            {
                var m = new Sequential(new Dense(4, activation: "tanh", inputShape: [3]), new Dense(1)) { Seed = 5 };
                m.Compile(new Sgd(0.05f), loss, [Metrics.MeanAbsoluteError]);
                return m;
            }
            var a = Make();
            var b = Make();
            var ha = a.Fit(x, flat, epochs: 3, batchSize: 8, seed: 1);
            var hb = b.Fit(x, column, epochs: 3, batchSize: 8, seed: 1);
            Assert.Equal(ha.Values["loss"], hb.Values["loss"]);
            Assert.Equal(ha.Values["mean_absolute_error"], hb.Values["mean_absolute_error"]);
            Assert.True(ha.Values["loss"][^1] < ha.Values["loss"][0], loss.Name);
            Assert.Equal(a.Evaluate(x, flat).Loss, b.Evaluate(x, column).Loss);
            Assert.Null(a.Evaluate(x, flat).ConfusionMatrix); // regression

            float[] before = a.Layers[0].Weights[0].Value.ToArray();
            var e = Assert.Throws<ArgumentException>(() => a.Fit(x, new Tensor(new Shape(32, 2)), epochs: 1));
            Assert.Contains("(32, 1) or (32,); got (32, 2)", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, a.Layers[0].Weights[0].Value.ToArray());
        }
    }

    [Fact]
    public void Every_new_loss_and_metric_allocates_nothing_per_step_after_warm_up()
    {
        var x = Strata.Tests.GradientCheck.GradientChecker.Random(new Shape(16, 4), seed: 1);
        var flat = new Tensor(new Shape(16));
        for (int i = 0; i < 16; i++) flat[i] = i % 2;
        var labels = new Tensor(new Shape(16));
        for (int i = 0; i < 16; i++) labels[i] = i % 5;
        var cases = new (string Activation, int Units, Loss Loss, Tensor Y, Metric[] Metrics)[]
        {
            ("sigmoid", 1, Losses.BinaryCrossentropy(), flat, [Metrics.BinaryAccuracy(), Metrics.Accuracy]),
            ("linear", 1, Losses.BinaryCrossentropy(fromLogits: true), flat, [Metrics.BinaryAccuracy(0f)]),
            ("relu", 1, Losses.BinaryCrossentropy(), flat, []), // not fused: from clipped probabilities
            ("linear", 1, Losses.MeanAbsoluteError, flat, [Metrics.MeanAbsoluteError]),
            ("linear", 1, Losses.Huber(0.5f), flat, [Metrics.Get("mae")]),
            ("softmax", 5, Losses.SparseCategoricalCrossentropy, labels, [Metrics.SparseTopKCategoricalAccuracy(2)]),
        };
        foreach (var (activation, units, loss, y, metrics) in cases)
        {
            var model = new Sequential(new Dense(6, activation: "tanh", inputShape: [4]), new Dense(units, activation: activation)) { Seed = 1 };
            model.Compile(new Adam(0.01f), loss, metrics);
            var output = model.Predict(x);
            for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y, out _);
            long before = GC.GetAllocatedBytesForCurrentThread();
            double sum = 0;
            for (int i = 0; i < 10; i++)
            {
                model.TrainOnBatch(x, y, out bool skipped);
                Assert.False(skipped);
                foreach (var metric in metrics) sum += metric.Sum(output, y);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(double.IsFinite(sum));
        }
    }
}
