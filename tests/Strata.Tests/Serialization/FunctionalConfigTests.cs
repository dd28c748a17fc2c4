using System.Text.Json.Nodes;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Serialization;

/// <summary>Functional models written and read as Keras's functional config, saved, loaded and resumed like Sequential ones.</summary>
public sealed class FunctionalConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-functional-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Two inputs; a residual block (conv → BN → ReLU, plus a 1×1 projection, added); dropout; a Dense shared by two
    /// calls in a chain; a concatenation; every kind of connection the functional config has to carry.
    /// </summary>
    internal static Model Graph(int seed = 5)
    {
        var image = Input.Of(new Shape(8, 8, 1), "image");
        var features = Input.Of(new Shape(3), "features");
        var block = new Activation("relu", name: "relu").Call(
            new BatchNormalization(momentum: 0.9f, name: "bn").Call(new Conv2D(2, 3, padding: "same", name: "conv").Call(image)));
        var sum = new Add(name: "add").Call(block, new Conv2D(2, 1, name: "shortcut").Call(image));
        var pooled = new Flatten(name: "flat").Call(new MaxPooling2D(2, name: "pool").Call(sum));
        var dropped = new Dropout(0.2f, seed: 3, name: "drop").Call(pooled);
        var shared = new Dense(3, activation: "tanh", name: "shared");
        var twice = shared.Call(shared.Call(features));
        var output = new Dense(3, activation: "softmax", name: "out").Call(new Concatenate(name: "join").Call(dropped, twice));
        return new Model([image, features], [output]) { Seed = seed };
    }

    internal static (Tensor[] X, Tensor Y) Data(int n, int seed)
    {
        var (images, y) = TestModelFile.Images(n, seed);
        var features = new Tensor(new Shape(n, 3));
        var random = new Random(seed + 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 3; j++) features[i, j] = (j == (int)y[i] ? 1f : 0f) + 0.3f * (float)random.NextDouble();
        return ([images, features], y);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void The_configuration_reads_back_as_the_same_graph()
    {
        var model = Graph();
        string json = model.ToConfig();
        var config = JsonNode.Parse(json)!;
        Assert.Equal("Functional", (string?)config["class_name"]);
        var layers = config["config"]!["layers"]!.AsArray();
        var shared = layers.Single(l => (string?)l!["name"] == "shared")!;
        Assert.Equal("[[[\"features\",0,0,{}]],[[\"shared\",0,0,{}]]]", shared["inbound_nodes"]!.ToJsonString());
        Assert.Equal("[null,8,8,1]", layers[0]!["config"]!["batch_shape"]!.ToJsonString());
        Assert.Equal("[[\"out\",0,0]]", config["config"]!["output_layers"]!.ToJsonString());

        var copy = Model.FromConfig(json, seed: 5);
        Assert.IsNotType<Sequential>(copy);
        Assert.Equal(json, copy.ToConfig());
        Assert.Equal(model.Summary(), copy.Summary());
        var (x, _) = Data(8, 1);
        Assert.Equal(model.Predict(x)[0].Span.ToArray(), copy.Predict(x)[0].Span.ToArray());
    }

    [Fact]
    public void A_saved_graph_loads_with_its_weights_shared_layer_and_class_names()
    {
        var model = Graph();
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var (x, y) = Data(64, 2);
        model.Fit(x, [y], epochs: 1, batchSize: 16, seed: 4, verbose: 0);
        model.ClassNames = ["a", "b", "c"];
        string path = PathOf("graph.safetensors");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x)[0].Span.ToArray(), loaded.Predict(x)[0].Span.ToArray());
        Assert.Equal(model.CountParams(), loaded.CountParams());
        Assert.Single(loaded.Layers, l => l.Name == "shared");
        Assert.Equal(["a", "b", "c"], loaded.ClassNames);
        Assert.Equal(model.Evaluate(x, [y]).Loss, loaded.Evaluate(x, [y]).Loss);
        var error = Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Contains("functional model", error.Message);
    }

    [Fact]
    public void A_graph_resumed_from_a_file_trains_to_the_weights_of_an_unbroken_run()
    {
        var (x, y) = Data(80, 3);
        Model Compiled()
        {
            var model = Graph(seed: 7);
            model.Compile(new Adam(0.01f, clipNorm: 1f), Losses.SparseCategoricalCrossentropy);
            return model;
        }
        var straight = Compiled();
        straight.Fit(x, [y], epochs: 3, batchSize: 16, seed: 11, validationSplit: 0.2f, verbose: 0);

        var first = Compiled();
        first.Fit(x, [y], epochs: 2, batchSize: 16, seed: 11, validationSplit: 0.2f, verbose: 0);
        string path = PathOf("resume.safetensors");
        first.Save(path);
        var resumed = Model.Load(path);
        Assert.Equal(2, resumed.EpochsCompleted);
        resumed.Fit(x, [y], epochs: 3, batchSize: 16, seed: 11, validationSplit: 0.2f, initialEpoch: resumed.EpochsCompleted, verbose: 0);

        foreach (var (expected, actual) in straight.Layers.SelectMany(l => l.Weights).Zip(resumed.Layers.SelectMany(l => l.Weights)))
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Value.ToArray(), actual.Value.ToArray());
        }
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
    }

    [Fact]
    public void A_layer_listed_before_the_tensor_it_takes_is_called_once_that_tensor_exists()
    {
        // Keras lists a shared layer by its deepest call, so its later call may take a tensor of a layer listed after it.
        var x = Input.Of(new Shape(4), "x");
        var shared = new Dense(4, name: "shared");
        var h = new Dense(4, name: "middle").Call(shared.Call(x));
        var model = new Model(x, shared.Call(h));
        var config = JsonNode.Parse(model.ToConfig())!;
        var layers = config["config"]!["layers"]!.AsArray();
        var middle = layers.Single(l => (string?)l!["name"] == "middle")!;
        layers.Remove(middle);
        layers.Add(middle.DeepClone()); // now after the shared layer whose second call needs it
        var copy = Model.FromConfig(config.ToJsonString());
        Assert.Equal(model.CountParams(), copy.CountParams());
        Assert.Equal(model.Nodes.Count, copy.Nodes.Count);
    }

    public static TheoryData<string, string, string> Hostile => new()
    {
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[[\"nowhere\",0,0,{}]]", "['nowhere', 0, 0], which no call produces" },
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[[\"features\",7,0,{}]]", "['features', 7, 0], which no call produces" },
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[[\"features\",0,1,{}]]", "a tensor is [layer name, call, 0]" },
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[[\"features\",0,0,{\"training\":true}]]", "a tensor is [layer name, call, 0]" },
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[[\"out\",0,0,{}]]", "which no call produces" },
        { "\"inbound_nodes\":[[[\"features\",0,0,{}]]", "\"inbound_nodes\":[[]", "not an array of 1 to" },
        { "\"batch_shape\":[null,8,8,1]", "\"batch_shape\":[4,8,8,1]", "'batch_shape' must be [null, …]" },
        { "\"batch_shape\":[null,8,8,1]", "\"batch_shape\":[null,8,-8,1]", "each size after the batch axis is a positive integer" },
        { "\"class_name\":\"Flatten\"", "\"class_name\":\"Lambda\"", "is of a type Strata does not know" },
        { "\"output_layers\":[[\"out\",0,0]]", "\"output_layers\":[[\"out\",1,0]]", "'output_layers' names the tensor ['out', 1, 0]" },
        { "\"output_layers\":[[\"out\",0,0]]", "\"output_layers\":[]", "'output_layers' must be an array of 1 to" },
        { "\"name\":\"shortcut\",\"inbound_nodes\"", "\"name\":\"conv\",\"inbound_nodes\"", "outside its config and 'shortcut' inside" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_bad_graph_is_refused_with_what_is_wrong(string find, string replace, string reason)
    {
        string json = Graph().ToConfig();
        Assert.Contains(find, json);
        var error = Assert.Throws<InvalidDataException>(() => Model.FromConfig(json.Replace(find, replace)));
        Assert.Contains("model config", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_cycle_is_refused_not_looped_on()
    {
        const string json = """
            {"class_name": "Functional", "config": {"name": "loop", "layers": [
              {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [null, 2]}, "inbound_nodes": []},
              {"class_name": "Dense", "name": "a", "config": {"name": "a", "trainable": true, "units": 2, "activation": "linear", "use_bias": true,
                "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}, "inbound_nodes": [[["b", 0, 0, {}]]]},
              {"class_name": "Dense", "name": "b", "config": {"name": "b", "trainable": true, "units": 2, "activation": "linear", "use_bias": true,
                "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
              "input_layers": [["x", 0, 0]], "output_layers": [["b", 0, 0]]}}
            """;
        var error = Assert.Throws<InvalidDataException>(() => Model.FromConfig(json));
        Assert.Contains("which no call produces", error.Message);
    }

    [Fact]
    public void A_sequential_configuration_still_reads_as_a_sequential_model()
    {
        var model = TestModelFile.EveryLayer();
        model.Build(new Shape(8, 8, 1));
        Assert.IsType<Sequential>(Model.FromConfig(model.ToConfig()));
        var error = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(Graph().ToConfig()));
        Assert.Contains("functional model", error.Message);
    }
}
