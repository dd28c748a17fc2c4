using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests;

public class MetricsTests
{
    [Fact]
    public void Accuracy_resolves_like_keras_from_the_shapes()
    {
        var p = Tensor.FromArray(new Shape(3, 3), 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.2f, 0.3f, 0.5f);
        Assert.Equal(2, Metrics.Accuracy.Sum(p, Tensor.FromArray(new Shape(3), 1, 0, 0)));              // sparse
        Assert.Equal(2, Metrics.Accuracy.Sum(p, Tensor.FromArray(new Shape(3, 3), 0, 1, 0, 1, 0, 0, 1, 0, 0))); // one-hot
        var single = Tensor.FromArray(new Shape(4, 1), 0.2f, 0.6f, 0.5f, 0.9f);
        Assert.Equal(3, Metrics.Accuracy.Sum(single, Tensor.FromArray(new Shape(4), 0, 1, 0, 0)));      // p > 0.5 vs t
        Assert.Equal(3, Metrics.Accuracy.Sum(single, Tensor.FromArray(new Shape(4, 1), 0, 1, 0, 0)));
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy.Sum(p, new Tensor(new Shape(3, 2))));
        Assert.Contains("Metric 'accuracy': predictions (3, 3) need targets (3,) class indices or (3, 3); got (3, 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_accuracy_thresholds_each_output_and_averages_per_sample()
    {
        var single = Tensor.FromArray(new Shape(4, 1), 0.2f, 0.6f, 0.5f, 0.9f);
        var t = Tensor.FromArray(new Shape(4), 0, 1, 0, 0);
        Assert.Equal(3, Metrics.BinaryAccuracy().Sum(single, t));
        Assert.Equal(2, Metrics.BinaryAccuracy(threshold: 0.7f).Sum(single, t)); // 0.9 → 1 stays wrong, 0.6 → 0 now wrong
        // Two samples of three labels each: 2/3 and 3/3 right.
        var multi = Tensor.FromArray(new Shape(2, 3), 0.9f, 0.1f, 0.8f, 0.4f, 0.6f, 0.7f);
        Assert.Equal(2.0 / 3 + 1, Metrics.BinaryAccuracy().Sum(multi, Tensor.FromArray(new Shape(2, 3), 1, 0, 0, 0, 1, 1)), 10);
        // Logits with threshold 0.
        Assert.Equal(2, Metrics.BinaryAccuracy(0f).Sum(Tensor.FromArray(new Shape(2, 1), -3f, 2f), Tensor.FromArray(new Shape(2), 0, 1)));
        Assert.Same(Metrics.BinaryAccuracy(), Metrics.Get("binary_accuracy"));
        var e = Assert.Throws<ArgumentException>(() => Metrics.BinaryAccuracy().Sum(multi, Tensor.FromArray(new Shape(2), 0, 1)));
        Assert.Contains("Metric 'binary_accuracy': predictions (2, 3) need targets (2, 3); got (2,)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.BinaryAccuracy(float.NaN));
    }

    [Fact]
    public void Top_k_counts_the_true_class_among_the_k_highest_ties_included()
    {
        // Class 3's score ranks: sample 0 first, sample 1 third, sample 2 tied for second with class 1.
        var p = Tensor.FromArray(new Shape(3, 4),
            0.1f, 0.2f, 0.3f, 0.4f,
            0.4f, 0.3f, 0.1f, 0.2f,
            0.2f, 0.3f, 0.5f, 0.3f);
        var labels = Tensor.FromArray(new Shape(3), 3, 3, 3);
        var oneHot = Tensor.FromArray(new Shape(3, 4), 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1);
        Assert.Equal(1, Metrics.SparseTopKCategoricalAccuracy(k: 1).Sum(p, labels));
        Assert.Equal(2, Metrics.SparseTopKCategoricalAccuracy(k: 2).Sum(p, labels));
        Assert.Equal(3, Metrics.SparseTopKCategoricalAccuracy(k: 3).Sum(p, labels));
        Assert.Equal(2, Metrics.TopKCategoricalAccuracy(k: 2).Sum(p, oneHot));
        Assert.Equal(3, Metrics.TopKCategoricalAccuracy().Sum(p, oneHot)); // k = 5 ≥ 4 classes
        Assert.Equal(5, Metrics.TopKCategoricalAccuracy().K);
        Assert.Equal("top_k_categorical_accuracy", Metrics.Get("top_k_categorical_accuracy").Name);
        Assert.Equal("sparse_top_k_categorical_accuracy", Metrics.Get("sparse_top_k_categorical_accuracy").Name);

        var e = Assert.Throws<ArgumentException>(() => Metrics.SparseTopKCategoricalAccuracy().Sum(p, oneHot));
        Assert.Contains("Metric 'sparse_top_k_categorical_accuracy': predictions (3, 4) need targets (3,) class indices; got (3, 4)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Metrics.TopKCategoricalAccuracy().Sum(p, labels));
        Assert.Contains("need targets (3, 4) one-hot rows; got (3,)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Metrics.SparseTopKCategoricalAccuracy().Sum(p, Tensor.FromArray(new Shape(3), 0, 4, 1)));
        Assert.Contains("Label 4 of sample 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.TopKCategoricalAccuracy(0));
    }

    [Fact]
    public void Mean_absolute_error_is_reported_under_the_name_it_was_asked_by()
    {
        var p = Tensor.FromArray(new Shape(2, 1), 1f, 3f);
        var t = Tensor.FromArray(new Shape(2), 0f, 5f);
        Assert.Equal(3, Metrics.MeanAbsoluteError.Sum(p, t));
        Assert.Equal("mean_absolute_error", Metrics.Get("mean_absolute_error").Name);
        Assert.Equal("mae", Metrics.Get("mae").Name);
        Assert.Equal(3, Metrics.Get("mae").Sum(p, t));
        var e = Assert.Throws<ArgumentException>(() => Metrics.Get("top_5"));
        Assert.Contains("binary_accuracy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_reports_every_metric_and_a_metric_that_cannot_read_the_targets_is_refused_before_a_step()
    {
        var random = new Random(1);
        var x = new Tensor(new Shape(40, 4));
        var y = new Tensor(new Shape(40));
        for (int i = 0; i < 40; i++)
        {
            int label = i % 6;
            y[i] = label;
            for (int j = 0; j < 4; j++) x[i, j] = (float)Initializers.NextGaussian(random) * 0.3f + (j == label % 4 ? 1 : 0) + (label >= 4 ? 1 : 0);
        }
        var model = new Sequential(new Dense(6, activation: "softmax", inputShape: [4])) { Seed = 1 };
        model.Compile(new Adam(0.05f), Losses.SparseCategoricalCrossentropy,
            [Metrics.Accuracy, Metrics.SparseTopKCategoricalAccuracy(k: 3)]);
        var history = model.Fit(x, y, epochs: 5, batchSize: 8, seed: 2, validationSplit: 0.25f);
        foreach (string key in new[] { "accuracy", "sparse_top_k_categorical_accuracy", "val_accuracy", "val_sparse_top_k_categorical_accuracy" })
            Assert.Equal(5, history.Values[key].Count);
        for (int epoch = 0; epoch < 5; epoch++)
            Assert.True(history.Values["sparse_top_k_categorical_accuracy"][epoch] >= history.Values["accuracy"][epoch]);

        var oneHot = new Sequential(new Dense(6, activation: "softmax", inputShape: [4])) { Seed = 1 };
        oneHot.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy, [Metrics.TopKCategoricalAccuracy()]);
        oneHot.Build(new Shape(4));
        float[] before = oneHot.Layers[0].Weights[0].Value.ToArray();
        var e = Assert.Throws<ArgumentException>(() => oneHot.Fit(x, y, epochs: 1));
        Assert.Contains("Metric 'top_k_categorical_accuracy': predictions (40, 6) need targets (40, 6) one-hot rows; got (40,)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => oneHot.TrainOnBatch(x, y));
        Assert.Equal(before, oneHot.Layers[0].Weights[0].Value.ToArray());
    }
}
