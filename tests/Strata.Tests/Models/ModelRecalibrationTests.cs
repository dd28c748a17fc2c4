using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models;

/// <summary>
/// BatchNormalization recalibration: wrong moving statistics are replaced by the exact population statistics of the data,
/// each layer's computed with the layers before it already recalibrated, checked against statistics computed here
/// independently (the whole data set in one pass, naive double loops).
/// </summary>
public class ModelRecalibrationTests
{
    /// <summary>Per feature of the last axis: the mean and BIASED variance of every value of <paramref name="h"/>, naively in double.</summary>
    private static (float[] Mean, float[] Variance) NaiveStatistics(Tensor h)
    {
        int c = h.Shape[^1], rows = h.Length / c;
        var values = h.Span;
        float[] mean = new float[c], variance = new float[c];
        for (int f = 0; f < c; f++)
        {
            double sum = 0, sq = 0;
            for (int r = 0; r < rows; r++) sum += values[r * c + f];
            double mu = sum / rows;
            for (int r = 0; r < rows; r++) sq += (values[r * c + f] - mu) * (values[r * c + f] - mu);
            (mean[f], variance[f]) = ((float)mu, (float)(sq / rows));
        }
        return (mean, variance);
    }

    private static void Set(BatchNormalization bn, (float[] Mean, float[] Variance) statistics)
    {
        statistics.Mean.CopyTo(bn.MovingMean.Value);
        statistics.Variance.CopyTo(bn.MovingVariance.Value);
    }

    /// <summary>Sets each BN of a chain to the population statistics of its input over <paramref name="x"/>, layer after layer in one pass.</summary>
    private static Dictionary<string, (float[] Mean, float[] Variance)> SetExactStatistics(Sequential model, Tensor x)
    {
        var exact = new Dictionary<string, (float[], float[])>();
        var h = x;
        foreach (var layer in model.Layers)
        {
            if (layer is BatchNormalization bn)
            {
                exact[bn.Name] = NaiveStatistics(h);
                Set(bn, exact[bn.Name]);
            }
            h = layer.Forward(h, training: false);
        }
        return exact;
    }

    private static void Randomize(IEnumerable<Layer> layers, int seed)
    {
        var random = new Random(seed);
        foreach (var bn in layers.OfType<BatchNormalization>())
        {
            var mean = bn.MovingMean.Value;
            var variance = bn.MovingVariance.Value;
            for (int f = 0; f < mean.Length; f++)
            {
                mean[f] = (float)(3 * Initializers.NextGaussian(random));
                variance[f] = (float)(0.05 + 10 * random.NextDouble());
            }
        }
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    private static void AssertStatistics(Dictionary<string, (float[] Mean, float[] Variance)> exact, IEnumerable<Layer> layers)
    {
        var bns = layers.OfType<BatchNormalization>().ToArray();
        Assert.Equal(exact.Count, bns.Length);
        foreach (var bn in bns)
        {
            AssertClose(exact[bn.Name].Mean, bn.MovingMean.Value, $"{bn.Name} moving_mean");
            AssertClose(exact[bn.Name].Variance, bn.MovingVariance.Value, $"{bn.Name} moving_variance");
        }
    }

    [Fact]
    public void Random_moving_statistics_are_replaced_by_the_population_statistics_and_the_accuracy_comes_back()
    {
        var (x, y) = SequentialTests.Blobs(600, seed: 1);
        var (testX, testY) = SequentialTests.Blobs(300, seed: 2);
        var model = new Sequential(
            new Dense(16, activation: "relu", inputShape: [4]), new BatchNormalization(),
            new Dense(16, activation: "relu"), new BatchNormalization(),
            new Dense(3, activation: "softmax")) { Seed = 3 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        model.Fit(x, y, epochs: 3, batchSize: 32, seed: 4, verbose: 0);

        var exact = SetExactStatistics(model, x);
        double exactAccuracy = model.Evaluate(testX, testY)["accuracy"];
        Assert.True(exactAccuracy > 0.9, $"accuracy with exact statistics {exactAccuracy}");

        Randomize(model.Layers, seed: 5);
        double randomAccuracy = model.Evaluate(testX, testY)["accuracy"];
        Assert.True(randomAccuracy < exactAccuracy - 0.2, $"random statistics: accuracy {randomAccuracy} vs {exactAccuracy}");

        var report = model.RecalibrateBatchNormalization(x, batchSize: 37); // batches that do not divide 600
        AssertStatistics(exact, model.Layers);
        Assert.Equal(exactAccuracy, model.Evaluate(testX, testY)["accuracy"], 9);
        Assert.Equal(2, report.Count);
        Assert.Matches("batch_normalization(_\\d+)?", report[0].Layer);
        Assert.All(report, r => Assert.Equal(600, r.Values));
        Assert.All(report, r => Assert.True(r.MeanShift > 0.1 && r.StddevRatio > 1.1, $"{r}"));

        // A second recalibration changes nothing.
        var again = model.RecalibrateBatchNormalization(x, batchSize: 600);
        Assert.All(again, r => Assert.True(r.MeanShift < 1e-5 && r.StddevRatio < 1 + 1e-5, $"{r}"));
    }

    [Fact]
    public void Samples_take_a_seeded_subset_and_the_weights_other_than_the_moving_statistics_stay()
    {
        var (x, _) = SequentialTests.Blobs(200, seed: 6);
        var model = new Sequential(new Dense(5, inputShape: [4]), new BatchNormalization(), new Dense(2)) { Seed = 7 };
        model.Build(new Shape(4));
        var trainable = model.Layers.SelectMany(l => l.TrainableWeights).Select(w => w.Value.ToArray()).ToArray();
        var report = model.RecalibrateBatchNormalization(x, samples: 50, seed: 1);
        Assert.Equal(50, report[0].Values);
        var first = ((BatchNormalization)model.Layers[1]).MovingMean.Value.ToArray();
        model.RecalibrateBatchNormalization(x, samples: 50, seed: 1, batchSize: 7);
        AssertClose(first, ((BatchNormalization)model.Layers[1]).MovingMean.Value, "the same subset");
        model.RecalibrateBatchNormalization(x, samples: 50, seed: 2);
        Assert.NotEqual(first, ((BatchNormalization)model.Layers[1]).MovingMean.Value.ToArray());
        Assert.Equal(trainable, model.Layers.SelectMany(l => l.TrainableWeights).Select(w => w.Value.ToArray()).ToArray());
    }

    [Fact]
    public void A_feature_axis_in_the_middle_pools_over_the_axes_after_it()
    {
        // Input [n, 3, 5] with axis 1: three features, each over n·5 values.
        var x = GradientChecker.Random(new Shape(40, 3, 5), seed: 8, scale: 2f);
        for (int i = 0; i < x.Length; i++) x.Span[i] += i / 5 % 3; // feature f is offset by f
        var bn = new BatchNormalization(axis: 1, inputShape: [3, 5]);
        var model = new Sequential(bn, new Flatten(), new Dense(2)) { Seed = 9 };
        model.Build(new Shape(3, 5));
        model.RecalibrateBatchNormalization(x, batchSize: 9);
        for (int f = 0; f < 3; f++)
        {
            var values = Enumerable.Range(0, x.Length).Where(i => i / 5 % 3 == f).Select(i => (double)x.Span[i]).ToArray();
            double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(mean, bn.MovingMean.Value[f], 5);
            Assert.Equal(variance, bn.MovingVariance.Value[f], 4);
        }
    }

    [Fact]
    public void Ghost_batches_and_batch_renormalization_infer_with_the_recalibrated_statistics()
    {
        var (x, y) = SequentialTests.Blobs(120, seed: 10);
        var renorm = new BatchNormalization(renorm: true, virtualBatchSize: 4, name: "renorm_bn");
        var model = new Sequential(new Dense(6, inputShape: [4]), renorm, new Dense(3, activation: "softmax")) { Seed = 11 };
        model.Compile(new Sgd(0.05f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 12, verbose: 0);
        var exact = SetExactStatistics(model, x);
        var expected = model.Predict(x).Span.ToArray();
        Randomize(model.Layers, seed: 13);

        model.RecalibrateBatchNormalization(x);
        AssertStatistics(exact, model.Layers);
        AssertClose(expected, model.Predict(x).Span, "predictions");
        // moving_variance = moving_stddev² − ε in training: the two agree after recalibration.
        for (int f = 0; f < 6; f++)
            Assert.Equal(MathF.Sqrt(renorm.MovingVariance.Value[f] + renorm.Epsilon), renorm.MovingStddev!.Value[f], 6);
    }

    [Fact]
    public void A_functional_model_is_recalibrated_in_graph_order_through_a_conv_and_a_merge()
    {
        var input = Input.Of(6, 6, 2);
        var conv = new Conv2D(4, 3, padding: "same");
        var convBn = new BatchNormalization(name: "bn_conv");
        var relu = new Activation("relu");
        var pool = new GlobalAveragePooling2D();
        var flatten = new Flatten();
        var dense = new Dense(8);
        var concatenate = new Concatenate();
        var mergedBn = new BatchNormalization(name: "bn_merged");
        var output = new Dense(3, activation: "softmax");
        var r = relu.Call(convBn.Call(conv.Call(input)));
        var merged = concatenate.Call(pool.Call(r), dense.Call(flatten.Call(r)));
        var model = new Model(input, output.Call(mergedBn.Call(merged))) { Seed = 14 };

        var x = GradientChecker.Random(new Shape(90, 6, 6, 2), seed: 15, scale: 2f);
        for (int i = 0; i < x.Length; i++) x.Span[i] += 1f;
        // Independently: the layers by hand, each BN set from its whole input before it runs.
        var exact = new Dictionary<string, (float[] Mean, float[] Variance)>();
        var c = conv.Forward(x, training: false);
        Set(convBn, exact["bn_conv"] = NaiveStatistics(c)); // over samples and the 6×6 positions
        var rv = relu.Forward(convBn.Forward(c, training: false), training: false);
        var m = concatenate.Forward([pool.Forward(rv, training: false), dense.Forward(flatten.Forward(rv, training: false), training: false)], training: false);
        Set(mergedBn, exact["bn_merged"] = NaiveStatistics(m));
        var expected = model.Predict(x).Span.ToArray();

        Randomize(model.Layers, seed: 16);
        var report = model.RecalibrateBatchNormalization(x, batchSize: 16);
        Assert.Equal(["bn_conv", "bn_merged"], report.Select(e => e.Layer));
        Assert.Equal(90 * 36, report[0].Values);
        AssertStatistics(exact, model.Layers);
        AssertClose(expected, model.Predict(x).Span, "predictions");
    }

    [Fact]
    public void A_shared_layer_pools_every_call()
    {
        var a = Input.Of(3);
        var b = Input.Of(3);
        var shared = new BatchNormalization(name: "shared_bn");
        var model = new Model([a, b], [new Dense(1).Call(new Concatenate().Call(shared.Call(a), shared.Call(b)))]) { Seed = 17 };
        var xa = GradientChecker.Random(new Shape(30, 3), seed: 18);
        var xb = GradientChecker.Random(new Shape(30, 3), seed: 19, scale: 3f);
        model.RecalibrateBatchNormalization([xa, xb], batchSize: 8);
        var both = new Tensor(new Shape(60, 3), [.. xa.Span.ToArray(), .. xb.Span.ToArray()]);
        var (mean, variance) = NaiveStatistics(both);
        AssertClose(mean, shared.MovingMean.Value, "moving_mean");
        AssertClose(variance, shared.MovingVariance.Value, "moving_variance");
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_reason()
    {
        var model = new Sequential(new Dense(2, inputShape: [4]), new BatchNormalization()) { Seed = 1 };
        model.Build(new Shape(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RecalibrateBatchNormalization(new Tensor(new Shape(3, 4)), samples: 0));
        var wrong = Assert.Throws<ArgumentException>(() => model.RecalibrateBatchNormalization(new Tensor(new Shape(3, 5))));
        Assert.Contains("takes", wrong.Message);
        var empty = Assert.Throws<ArgumentException>(() => model.RecalibrateBatchNormalization(new Tensor(new Shape(0, 4))));
        Assert.Contains("non-zero", empty.Message);
        var nan = new Tensor(new Shape(2, 4));
        nan.Span[5] = float.NaN;
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => model.RecalibrateBatchNormalization(nan)).Message);
        Assert.Empty(new Sequential(new Dense(2, inputShape: [4])).RecalibrateBatchNormalization(new Tensor(new Shape(3, 4))));
    }
}
