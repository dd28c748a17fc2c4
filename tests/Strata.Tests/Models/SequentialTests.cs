using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models;

// Steady-step allocation is measured here: with another test class sharing the worker pool at the same moment a
// step can take a different (inline) path, so these classes run alone.
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class SequentialTests
{
    private static Sequential Mlp(int seed = 1) => new(
        new Flatten(inputShape: [28, 28], name: "flatten"),
        new Dense(300, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal, name: "dense"),
        new Dense(100, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal, name: "dense_1"),
        new Dense(10, activation: Activations.Softmax, name: "dense_2"))
    { Name = "sequential", Seed = seed };

    [Fact]
    public void Summary_is_the_keras_table()
    {
        string expected = string.Join(Environment.NewLine,
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " flatten (Flatten)           (None, 784)               0         ",
            "                                                                 ",
            " dense (Dense)               (None, 300)               235500    ",
            "                                                                 ",
            " dense_1 (Dense)             (None, 100)               30100     ",
            "                                                                 ",
            " dense_2 (Dense)             (None, 10)                1010      ",
            "                                                                 ",
            "=================================================================",
            "Total params: 266,610 (1.02 MB)",
            "Trainable params: 266,610 (1.02 MB)",
            "Non-trainable params: 0 (0.00 B)",
            "_________________________________________________________________");
        Assert.Equal(expected, Mlp().Summary());
        Assert.Equal(266_610, Mlp().CountParams());
    }

    [Fact]
    public void Summary_of_the_batch_norm_network_counts_like_keras()
    {
        var model = new Sequential(
            new Flatten(inputShape: [28, 28], name: "flatten"),
            new BatchNormalization(name: "batch_normalization"),
            new Dense(300, activation: "elu", kernelInitializer: "he_normal", name: "dense"),
            new BatchNormalization(name: "batch_normalization_1"),
            new Dense(100, activation: "elu", kernelInitializer: "he_normal", name: "dense_1"),
            new BatchNormalization(name: "batch_normalization_2"),
            new Dense(10, activation: "softmax", name: "dense_2")) { Seed = 1 };
        string summary = model.Summary();
        Assert.Contains(string.Join(Environment.NewLine,
            " batch_normalization (Batch  (None, 784)               3136      ",
            " Normalization)                                                  "), summary);
        foreach (var (layer, count) in new[] { ("batch_normalization (Batc", 3136), ("batch_normalization_1 (Ba", 1200), ("batch_normalization_2 (Ba", 400) })
        {
            string row = summary.Split(Environment.NewLine).Single(l => l.StartsWith(" " + layer, StringComparison.Ordinal));
            Assert.EndsWith($" {count}", row.TrimEnd());
        }
        Assert.Contains("Total params: 271,346 (1.04 MB)", summary);
        Assert.Contains("Trainable params: 268,978 (1.03 MB)", summary);
        Assert.Contains("Non-trainable params: 2,368 (9.25 KB)", summary);
    }

    [Fact]
    public void Fit_trains_a_batch_norm_network_and_can_drop_a_last_batch_of_one()
    {
        var (x, y) = Blobs(65, seed: 12); // 65 = 2·32 + 1: the last batch would hold one sample
        var model = new Sequential(
            new BatchNormalization(inputShape: [4]),
            new Dense(8, useBias: false),
            new BatchNormalization(),
            new Activation("relu"),
            new Dense(3, activation: "softmax")) { Seed = 3 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: 32, shuffle: false));
        Assert.Contains("dropLastPartialBatch", e.Message);
        var history = model.Fit(x, y, epochs: 20, batchSize: 32, seed: 1, dropLastPartialBatch: true);
        Assert.True(history["loss"][^1] < history["loss"][0] / 2, $"{history["loss"][0]} → {history["loss"][^1]}");
        Assert.True(model.Evaluate(x, y)["accuracy"] > 0.9);
    }

    [Fact]
    public void Frozen_layers_count_as_non_trainable()
    {
        var model = new Sequential(new Dense(4, inputShape: [3]), new Dense(2) { Trainable = false });
        model.Build(new Shape(3));
        string summary = model.Summary();
        Assert.Contains("Total params: 26 ", summary);
        Assert.Contains("Trainable params: 16 ", summary);
        Assert.Contains("Non-trainable params: 10 ", summary);
    }

    [Fact]
    public void Fit_learns_a_separable_problem_and_reports_history()
    {
        var (x, y) = Blobs(512, seed: 3);
        var model = new Sequential(
            new Dense(16, activation: "relu", kernelInitializer: "he_normal", inputShape: [4]),
            new Dense(3, activation: "softmax")) { Seed = 5 };
        model.Compile(new Sgd(0.1f, momentum: 0.9f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var before = model.Evaluate(x, y);
        var history = model.Fit(x, y, epochs: 5, batchSize: 32, validationSplit: 0.25f, seed: 9);
        var after = model.Evaluate(x, y);
        Assert.Equal(5, history.Epochs);
        Assert.Equal(5, history["val_accuracy"].Count);
        Assert.True(history["loss"][^1] < history["loss"][0]);
        Assert.True(after.Loss < before.Loss / 3, $"loss {before.Loss} → {after.Loss}");
        Assert.True(after["accuracy"] > 0.95, $"accuracy {after["accuracy"]}");
        Assert.Equal(new Shape(512, 3), model.Predict(x).Shape);
    }

    [Fact]
    public void Keras_strings_work_for_activations_initializers_losses_and_metrics()
    {
        var (x, y) = Blobs(96, seed: 13);
        var model = new Sequential(new Dense(8, activation: "selu", kernelInitializer: "lecun_normal", inputShape: [4]),
            new Dense(3, activation: "softmax", kernelInitializer: "glorot_normal")) { Seed = 2 };
        model.Compile(new Sgd(), "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, seed: 1);
        Assert.Equal(["loss", "accuracy"], history.Values.Keys);
    }

    [Fact]
    public void Seeded_runs_are_reproducible()
    {
        var (x, y) = Blobs(200, seed: 4);
        float[] Run()
        {
            var model = new Sequential(new Dense(8, activation: "tanh", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 2 };
            model.Compile(new Sgd(0.05f), "sparse_categorical_crossentropy");
            model.Fit(x, y, epochs: 2, batchSize: 16, seed: 3);
            return model.Predict(x).Span.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void A_training_step_allocates_nothing_after_warm_up()
    {
        // Its own pool: a test elsewhere resizing the default pool would make the slab plan its ranges again.
        using var context = new ComputeContext(threads: 2);
        var model = Mlp();
        model.Context = context;
        model.Compile(new Sgd(0.01f, momentum: 0.9f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var x = GradientChecker.Random(new Shape(32, 28, 28), seed: 1);
        var y = new Tensor(new Shape(32));
        for (int i = 0; i < 32; i++) y[i] = i % 10;
        var elsewhere = new Dense(2); // a layer of no model here: freezing it makes every model look again
        // Warm-up runs the measured loop itself, past the 30 calls after which the JIT recompiles a method: with 3 steps,
        // a full run (other tests warming shared code first) saw 3–8 KB in the window, in no step alone.
        for (int i = 0; i < 40; i++)
        {
            elsewhere.Trainable = !elsewhere.Trainable;
            model.TrainOnBatch(x, y);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            elsewhere.Trainable = !elsewhere.Trainable;
            model.TrainOnBatch(x, y);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_convolutional_training_step_allocates_nothing_after_warm_up()
    {
        var model = new Sequential(
            new Conv2D(4, 3, padding: "same", inputShape: [8, 8, 1]), new BatchNormalization(), new Activation("relu"),
            new MaxPooling2D(2), new Conv2D(6, 3, strides: 2), new GlobalAveragePooling2D(), new Dropout(0.2f, seed: 1),
            new Dense(3, activation: "softmax")) { Seed = 2 };
        model.Compile(new Adam(), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(8, 8, 8, 1), seed: 3);
        var y = new Tensor(new Shape(8));
        for (int i = 0; i < 8; i++) y[i] = i % 3;
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_custom_loop_equals_train_on_batch()
    {
        var (x, y) = Blobs(32, seed: 6);
        Sequential Make() => new(new Dense(5, activation: "elu", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 8 };
        var a = Make();
        var optimizer = new Sgd(0.1f, momentum: 0.5f, nesterov: true);
        a.Compile(optimizer, Losses.SparseCategoricalCrossentropy);
        var b = Make();
        b.Compile(new Sgd(0.1f, momentum: 0.5f, nesterov: true), Losses.SparseCategoricalCrossentropy);
        for (int step = 0; step < 3; step++)
        {
            Gradients grads = a.ComputeGradients(x, y);
            Assert.Equal(4, grads.Count);
            Assert.True(grads.GlobalNorm() > 0);
            optimizer.ApplyGradients(grads);
            b.TrainOnBatch(x, y);
        }
        Assert.Equal(b.Predict(x).Span.ToArray(), a.Predict(x).Span.ToArray());
    }

    /// <summary>
    /// BatchNormalization → Dense(1) under MSE, on the blobs with their class index as a regression target. A target
    /// of float.MaxValue is finite, so it passes the input check, but (ŷ − y)² overflows: the step's loss is ∞ while
    /// the batch statistics BN has just taken are finite.
    /// </summary>
    internal static (Sequential Model, Tensor X, Tensor Y) OverflowingBnModel(Optimizer optimizer, int samples, int seed)
    {
        var (x, labels) = Blobs(samples, seed);
        var model = new Sequential(new BatchNormalization(inputShape: [4]), new Dense(1)) { Seed = 1 };
        model.Compile(optimizer, Losses.MeanSquaredError);
        return (model, x, new Tensor(new Shape(samples, 1), labels.Span.ToArray()));
    }

    internal static float[][] AllWeights(Sequential model) => model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();

    [Fact]
    public void A_skipped_step_leaves_weights_moving_statistics_optimizer_slots_and_step_counter_as_they_were()
    {
        var adam = new Adam(0.01f);
        var (model, x, y) = OverflowingBnModel(adam, samples: 64, seed: 7);
        model.Fit(x, y, epochs: 1, batchSize: 32, shuffle: false); // slots and moving statistics exist
        var weights = AllWeights(model);
        var slots = adam.StateSlots.Select(s => s.Values.ToArray()).ToArray();
        long steps = adam.Iterations;

        y.Rows(0, 32).Fill(float.MaxValue); // the first batch overflows: its loss, and the bias gradient Σ 2(ŷ − y)/32
        var history = model.Fit(x, y, epochs: 1, batchSize: 32, shuffle: false);
        Assert.Equal(1, history.SkippedSteps);
        Assert.Equal(steps + 1, adam.Iterations); // only the second batch was applied

        // The refused batch alone, through TrainOnBatch and through the custom loop's ApplyGradients.
        weights = AllWeights(model);
        slots = [.. adam.StateSlots.Select(s => s.Values.ToArray())];
        steps = adam.Iterations;
        Assert.False(float.IsFinite(model.TrainOnBatch(x[..32], y[..32])));
        Assert.False(adam.ApplyGradients(model.ComputeGradients(x[..32], y[..32])));
        var after = AllWeights(model);
        for (int i = 0; i < weights.Length; i++) Assert.Equal(weights[i], after[i]); // γ, β, moving mean and variance, kernel
        var slotsAfter = adam.StateSlots.Select(s => s.Values.ToArray()).ToArray();
        Assert.Equal(slots.Length, slotsAfter.Length);
        for (int i = 0; i < slots.Length; i++) Assert.Equal(slots[i], slotsAfter[i]);
        Assert.Equal(steps, adam.Iterations);
    }

    [Fact]
    public void TrainOnBatch_tells_whether_its_step_was_skipped()
    {
        var adam = new Adam(0.01f);
        var (model, x, y) = OverflowingBnModel(adam, samples: 32, seed: 7);
        float loss = model.TrainOnBatch(x, y, out bool skipped);
        Assert.False(skipped);
        Assert.True(float.IsFinite(loss));
        Assert.Equal(1, adam.Iterations);

        var weights = AllWeights(model);
        var overflowing = new Tensor(y.Shape);
        overflowing.Span.Fill(float.MaxValue); // finite targets, so accepted; (ŷ − y)² overflows for every sample
        loss = model.TrainOnBatch(x, overflowing, out skipped);
        Assert.True(skipped);
        Assert.False(float.IsFinite(loss));
        Assert.Equal(1, adam.Iterations);
        var after = AllWeights(model);
        for (int i = 0; i < weights.Length; i++) Assert.Equal(weights[i], after[i]);

        // The float-returning overload trains as before; under the Throw policy a skipped step throws.
        Assert.True(float.IsFinite(model.TrainOnBatch(x, y)));
        Assert.Equal(2, adam.Iterations);
        model.Compile(adam, Losses.MeanSquaredError, nonFiniteGradients: NonFiniteGradients.Throw);
        Assert.Throws<NonFiniteGradientException>(() => model.TrainOnBatch(x, overflowing, out _));
    }

    [Fact]
    public void Nan_or_infinite_inputs_and_targets_are_refused_up_front_with_the_sample()
    {
        var (x, y) = Blobs(64, seed: 7);
        var model = new Sequential(new Dense(3, activation: "softmax", inputShape: [4])) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        model.Build(new Shape(4));
        var weights = AllWeights(model);
        x[41, 2] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false));
        Assert.Contains("input value NaN of sample 41 (element 2 of it) is not finite", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, y));
        Assert.Throws<ArgumentException>(() => model.Evaluate(x, y));
        x[41, 2] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => model.ComputeGradients(x, y));
        x[41, 2] = 0f;
        var regression = new Sequential(new Dense(1, inputShape: [4])) { Seed = 1 };
        regression.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        var targets = new Tensor(new Shape(64, 1));
        targets[5, 0] = float.NegativeInfinity;
        e = Assert.Throws<ArgumentException>(() => regression.Fit(x, targets));
        Assert.Contains("target value -Infinity of sample 5", e.Message, StringComparison.Ordinal);
        var after = AllWeights(model);
        for (int i = 0; i < weights.Length; i++) Assert.Equal(weights[i], after[i]);
    }

    [Fact]
    public void A_label_out_of_range_is_refused_before_any_state_changes()
    {
        var (x, y) = Blobs(32, seed: 8);
        var model = new Sequential(new Dense(5, inputShape: [4]), new BatchNormalization(), new Dense(3, activation: "softmax")) { Seed = 1 };
        var adam = new Adam(0.01f);
        model.Compile(adam, Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false); // optimizer slots and moving statistics exist
        float[][] before = model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();
        long steps = adam.Iterations;
        y[17] = 3; // the second batch holds a label for a fourth class of a 3-class output
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false));
        Assert.Contains("label 3 of sample 17", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, y));
        Assert.Contains("0..2", e.Message, StringComparison.Ordinal);
        float[][] after = model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]); // weights, γ, β, moving mean and variance
        Assert.Equal(steps, adam.Iterations);
    }

    [Fact]
    public void Bad_calls_get_clear_errors()
    {
        var model = new Sequential(new Dense(3, inputShape: [4], name: "only")) { Seed = 1 };
        Assert.Throws<InvalidOperationException>(() => model.Fit(new Tensor(new Shape(2, 4)), new Tensor(new Shape(2))));
        model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new Tensor(new Shape(2, 4)), new Tensor(new Shape(3))));
        Assert.Contains("same number of samples", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict(new Tensor(new Shape(2, 5))));
        Assert.Contains("only", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        var bad = Tensor.FromArray(new Shape(1), 7f);
        e = Assert.Throws<ArgumentException>(() => model.TrainOnBatch(new Tensor(new Shape(1, 4)), bad));
        Assert.Contains("class index", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new Tensor(new Shape(2, 4)), new Tensor(new Shape(2)), batchSize: 0));
    }

    /// <summary>Three Gaussian blobs in 4-D with labels 0..2.</summary>
    internal static (Tensor X, Tensor Y) Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new Tensor(new Shape(n, 4));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            int label = i % 3;
            y[i] = label;
            for (int j = 0; j < 4; j++)
                x[i, j] = (j == label ? 3f : 0f) + 0.7f * (float)Initializers.NextGaussian(random);
        }
        return (x, y);
    }
}
