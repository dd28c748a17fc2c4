using Strata.Data;
using Strata.Layers;

namespace Strata.Tests.Serialization;

public class ModelConfigTests
{
    [Fact]
    public void A_config_round_trips_to_the_same_network()
    {
        var model = Presets.CnnBn(seed: 1);
        model.Build(Presets.FashionMnistShape);
        string json = model.ToConfig();
        var copy = Sequential.FromConfig(json, seed: 1);
        Assert.Equal(json, copy.ToConfig());
        Assert.Equal(model.Layers.Select(l => l.TypeName), copy.Layers.Select(l => l.TypeName));
        Assert.Equal(model.CountParams(), copy.CountParams());
        // Same seed, same layer order: the same initial weights.
        Assert.Equal(model.Layers[1].Weights[0].Value.ToArray(), copy.Layers[1].Weights[0].Value.ToArray());
    }

    [Fact]
    public void The_input_shape_and_the_last_units_may_come_from_the_data()
    {
        const string json = """
            {"class_name": "Sequential", "config": {"name": "mine", "layers": [
              {"class_name": "Dense", "config": {"name": "hidden", "trainable": true, "units": 8, "activation": "relu", "use_bias": true,
                "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}},
              {"class_name": "Dense", "config": {"name": "out", "trainable": true, "activation": "softmax", "use_bias": true,
                "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}}]}}
            """;
        var model = Sequential.FromConfig(json, new Shape(4), outputUnits: 3);
        Assert.Equal(new Shape(4), model.InputShape);
        Assert.Equal(new Shape(3), model.OutputShape);
        Assert.Equal("mine", model.Name);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(json));
        Assert.Contains("lacks 'input_shape'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_setting_or_an_unknown_layer_is_refused_with_its_path()
    {
        var model = Presets.Mlp(seed: 1);
        model.Build(Presets.FashionMnistShape);
        string json = model.ToConfig();
        string badUnits = json.Replace("\"units\":300", "\"units\":-3", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(badUnits));
        Assert.Contains("(Dense)", e.Message, StringComparison.Ordinal);
        Assert.Contains("'units'", e.Message, StringComparison.Ordinal);
        string unknown = json.Replace("\"class_name\":\"Flatten\"", "\"class_name\":\"Transformer\"", StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(unknown));
        Assert.Matches(@"layer 'flatten(_\d+)?' \(Transformer\)", e.Message); // layer names count up across models
        Assert.Contains("does not know", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(json.Replace("\"use_bias\":true", "\"use_bias\":true,\"colour\":1", StringComparison.Ordinal)));
        Assert.Contains("unknown setting 'colour'", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Sequential.FromConfig("{not json"));
    }

    [Fact]
    public void A_config_declaring_a_huge_layer_is_refused_by_the_memory_budget_before_allocating()
    {
        var model = new Sequential(new Dense(4, inputShape: [3])) { Seed = 1 };
        model.Build(new Shape(3));
        string huge = model.ToConfig().Replace("\"units\":4", "\"units\":20000000", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(huge, budget: new MemoryBudget(1L << 20)));
        Assert.Contains("memory budget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Class_names_and_a_custom_loops_epoch_count_are_saved_with_the_model()
    {
        var model = new Sequential(new Dense(3, activation: "softmax", inputShape: [2])) { Seed = 1, ClassNames = ["cat", "dog", "owl"] };
        model.Build(new Shape(2));
        model.EpochsCompleted = 4; // a custom loop records its progress
        string path = Path.Combine(Path.GetTempPath(), $"strata-names-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Sequential.Load(path);
            Assert.Equal(["cat", "dog", "owl"], loaded.ClassNames!);
            Assert.Equal(4, loaded.EpochsCompleted);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => model.EpochsCompleted = -1);
    }

    [Fact]
    public void Adapt_sets_every_normalization_on_the_data_it_sees()
    {
        var x = new Tensor(new Shape(4, 2));
        float[] values = [0, 10, 2, 10, 4, 30, 6, 30];
        values.CopyTo(x.Span);
        var first = new Normalization(inputShape: [2]);
        var model = new Sequential(first, new Dense(2, kernelInitializer: Initializers.Ones), new Normalization()) { Seed = 1 };
        Assert.Equal(2, model.Adapt(x));
        Assert.Equal([3f, 20f], first.Mean.Value.ToArray());
        var second = (Normalization)model.Layers[2];
        // The second sees the first's standardized output summed by a Dense of ones: mean 0 per unit.
        Assert.Equal(0f, second.Mean.Value[0], 5);
        Assert.Equal(0, model.Adapt(x)); // already adapted
    }
}
