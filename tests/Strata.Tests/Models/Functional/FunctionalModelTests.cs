using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Models.Functional;

/// <summary>Functional models end to end: several inputs and outputs, a residual block, and the one loop shared with Sequential.</summary>
public class FunctionalModelTests
{
    /// <summary>The blobs of SequentialTests split in two inputs: the first two features, and the last two with noise.</summary>
    private static (Tensor[] X, Tensor Y) TwoInputBlobs(int n, int seed)
    {
        var (x, y) = SequentialTests.Blobs(n, seed);
        var a = new Tensor(new Shape(n, 2));
        var b = new Tensor(new Shape(n, 3));
        var noise = new Random(seed + 1);
        for (int i = 0; i < n; i++)
        {
            (a[i, 0], a[i, 1]) = (x[i, 0], x[i, 1]);
            (b[i, 0], b[i, 1], b[i, 2]) = (x[i, 2], x[i, 3], (float)Initializers.NextGaussian(noise));
        }
        return ([a, b], y);
    }

    private static Model TwoInputModel(int seed)
    {
        var a = Input.Of(2);
        var b = Input.Of(3);
        var h = new Dense(16, activation: "relu", kernelInitializer: "he_normal").Call(new Concatenate().Call(a, new Dense(4).Call(b)));
        return new Model([a, b], [new Dense(3, activation: "softmax").Call(h)]) { Seed = seed };
    }

    [Fact]
    public void A_two_input_model_learns_and_reports_like_a_sequential_one()
    {
        var (x, y) = TwoInputBlobs(384, seed: 3);
        var model = TwoInputModel(seed: 5);
        model.Compile(new Sgd(0.1f, momentum: 0.9f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var before = model.Evaluate(x, [y]);
        var history = model.Fit(x, [y], epochs: 5, batchSize: 32, validationSplit: 0.25f, seed: 9, verbose: 0);
        var after = model.Evaluate(x, [y]);
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Values.Keys);
        Assert.True(after.Loss < before.Loss / 3, $"loss {before.Loss} → {after.Loss}");
        Assert.True(after["accuracy"] > 0.95, $"accuracy {after["accuracy"]}");
        Assert.NotNull(after.ConfusionMatrix);
        Assert.Equal(new Shape(384, 3), model.Predict(x)[0].Shape);
        Assert.Equal(5, model.EpochsCompleted);
    }

    [Fact]
    public void The_same_graph_with_the_same_seed_trains_to_the_same_weights()
    {
        var (x, y) = TwoInputBlobs(96, seed: 4);
        float[] Run()
        {
            var model = TwoInputModel(seed: 2);
            model.Compile(new Sgd(0.05f), "sparse_categorical_crossentropy");
            model.Fit(x, [y], epochs: 2, batchSize: 16, seed: 3, verbose: 0);
            return model.Predict(x)[0].Span.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void A_residual_block_trains_on_a_small_image_task()
    {
        // 8×8 images: class 0 has a bright upper half, class 1 a bright lower half, both under noise.
        const int n = 128;
        var random = new Random(11);
        var x = new Tensor(new Shape(n, 8, 8, 1));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            y[i] = label;
            for (int p = 0; p < 64; p++)
                x[i * 64 + p] = ((p / 32 == label) ? 1f : 0f) + 0.5f * (float)Initializers.NextGaussian(random);
        }
        var input = Input.Of(8, 8, 1);
        var stem = new Conv2D(4, 3, padding: "same").Call(input);
        var h = new Conv2D(4, 3, padding: "same").Call(stem);
        h = new BatchNormalization().Call(h);
        h = new Activation("relu").Call(h);
        h = new Conv2D(4, 3, padding: "same").Call(h);
        h = new BatchNormalization().Call(h);
        var block = new Activation("relu").Call(new Add().Call(stem, h));
        var output = new Dense(2, activation: "softmax").Call(new GlobalAveragePooling2D().Call(block));
        var model = new Model(input, output) { Seed = 3 };
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var history = model.Fit(x, y, epochs: 8, batchSize: 16, seed: 1, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] / 2, $"{history["loss"][0]} → {history["loss"][^1]}");
        Assert.True(model.Evaluate(x, y)["accuracy"] > 0.9);
    }

    [Fact]
    public void Several_outputs_sum_one_loss_and_report_each_output_by_its_name()
    {
        var (x, y) = SequentialTests.Blobs(96, seed: 5);
        var input = Input.Of(4);
        var h = new Dense(8, activation: "relu").Call(input);
        var first = new Dense(3, activation: "softmax", name: "first").Call(h);
        var second = new Dense(3, activation: "softmax", name: "second").Call(h);
        var model = new Model([input], [first, second]) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var history = model.Fit([x], [y, y], epochs: 2, batchSize: 32, seed: 2, verbose: 0);
        Assert.Equal(["loss", "first_loss", "second_loss", "first_accuracy", "second_accuracy"], history.Values.Keys);
        var result = model.Evaluate([x], [y, y]);
        Assert.Equal(result.Loss, result["first_loss"] + result["second_loss"], 1e-5);
        Assert.Null(result.ConfusionMatrix);
        Assert.Equal(["first", "second"], model.OutputNames);
        var predictions = model.Predict([x]);
        Assert.Equal(2, predictions.Length);
        Assert.Throws<InvalidOperationException>(() => model.Predict(x));
        Assert.Throws<InvalidOperationException>(() => model.OutputShape);
    }

    [Fact]
    public void A_functional_chain_of_a_sequentials_layers_computes_exactly_what_the_sequential_does()
    {
        var sequential = new Sequential(
            new Dense(8, activation: "relu", inputShape: [4]), new BatchNormalization(), new Dense(3, activation: "softmax")) { Seed = 6 };
        sequential.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var (x, y) = SequentialTests.Blobs(32, seed: 7);
        var gradients = sequential.ComputeGradients(x, y);
        float loss = gradients.Loss;
        var expectedGradients = gradients.Flat.ToArray();
        var expected = sequential.Predict(x).Span.ToArray(); // after the training pass moved the BN statistics

        // The layers were built by the Sequential but not called: the first call runs each layer itself.
        var input = Input.Of(4);
        var h = input;
        foreach (var layer in sequential.Layers) h = layer.Call(h);
        var functional = new Model(input, h);
        Assert.Equal(sequential.Layers, functional.Layers.Skip(1));
        functional.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        Assert.Equal(expected, functional.Predict(x).Span.ToArray());
        var again = functional.ComputeGradients(x, y);
        Assert.Equal(loss, again.Loss);
        Assert.Equal(expectedGradients, again.Flat.ToArray());
    }

    [Fact]
    public void Graphs_that_are_not_models_are_refused_with_the_reason()
    {
        var a = Input.Of(new Shape(3), "a");
        var b = Input.Of(new Shape(3), "b");
        var sum = new Add().Call(a, b);
        Assert.Contains("disconnected", Assert.Throws<ArgumentException>(() => new Model(a, sum)).Message);
        Assert.Contains("not a model input", Assert.Throws<ArgumentException>(() => new Model(sum, new Dense(2).Call(sum))).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new Model([a, a, b], [sum])).Message);
        Assert.Contains("model input", Assert.Throws<ArgumentException>(() => new Model(a, a)).Message);
        var dense = new Dense(2, name: "twin_name").Call(a);
        var clash = new Dense(2, name: "twin_name").Call(a);
        Assert.Contains("\"twin_name\"", Assert.Throws<ArgumentException>(() => new Model([a], [dense, clash])).Message);
        Assert.Throws<InvalidOperationException>(() => a.Layer.Call(b));
    }

    [Fact]
    public void Bad_calls_name_the_model_input_and_the_shapes()
    {
        var model = TwoInputModel(seed: 1);
        model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var (x, y) = TwoInputBlobs(8, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Fit([x[0]], [y], verbose: 0));
        Assert.Contains("2 input(s)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.TrainOnBatch([x[0], x[0]], [y]));
        Assert.Contains(model.Inputs[1].Name, e.Message);
        Assert.Contains("(None, 3)", e.Message);
        Assert.Contains("(8, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Evaluate(x, [y, y]));
        Assert.Contains("1 output(s)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.TrainOnBatch([x[0], x[1][..4]], [y]));
        Assert.Contains("same number of samples", e.Message);
        Assert.Contains("2 input(s)", Assert.Throws<ArgumentException>(() => model.Predict(x[0])).Message);
        Assert.Throws<InvalidOperationException>(() => model.InputShape);
    }

    [Fact]
    public void A_checkpoint_callback_saves_a_functional_model_every_epoch()
    {
        var input = Input.Of(4);
        var model = new Model(input, new Dense(3, activation: "softmax").Call(new Dense(8, activation: "relu").Call(input))) { Seed = 1 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        var (x, y) = SequentialTests.Blobs(32, seed: 2);
        string dir = Directory.CreateTempSubdirectory("strata-checkpoint-").FullName;
        try
        {
            var checkpoint = new ModelCheckpoint(Path.Combine(dir, "epoch-{epoch}.safetensors"), monitor: "loss");
            model.Fit(x, y, epochs: 2, batchSize: 8, callbacks: [checkpoint], verbose: 0);
            var last = Model.Load(Path.Combine(dir, "epoch-2.safetensors"));
            Assert.True(File.Exists(Path.Combine(dir, "epoch-1.safetensors")));
            Assert.Equal(model.Predict(x).Span.ToArray(), last.Predict(x).Span.ToArray());
            Assert.Equal(2, last.EpochsCompleted);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Inputs_gradients_reach_the_model_inputs_when_asked()
    {
        var input = Input.Of(3);
        var model = new Model(input, new Dense(2).Call(input)) { Seed = 1 };
        model.Compile(new Sgd(), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(4, 3), seed: 2);
        model.ComputeGradients(x, new Tensor(new Shape(4, 2)));
        Assert.Null(model.InputGradient(0));
        model.ComputesInputGradients = true;
        model.ComputeGradients(x, new Tensor(new Shape(4, 2)));
        Assert.Equal(x.Shape, model.InputGradient(0)!.Shape);
    }
}
