using Strata.Layers;
using Strata.Serialization;

namespace Strata.Tests.Serialization;

public class LayerRegistryTests
{
    [Fact]
    public void Every_public_layer_type_is_loadable()
    {
        var types = typeof(Layer).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.IsSubclassOf(typeof(Layer)) && t != typeof(InputLayer))
            .ToArray();
        Assert.NotEmpty(types);
        foreach (var type in types)
        {
            Assert.True(LayerRegistry.Contains(type), $"{type.Name} is not in LayerRegistry");
            Assert.Contains(type.Name, LayerRegistry.Known);
        }
    }

    [Fact]
    public void A_copy_writes_the_configuration_of_its_original()
    {
        var model = TestModelFile.EveryLayer();
        model.Build(new Shape(8, 8, 1));
        var layers = model.Layers.Concat([new Concatenate(axis: 2, name: "join"), new Add(name: "add"), new Multiply(name: "times"),
            new Lstm(3, returnSequences: true, layerNormalization: true, name: "lstm"), new Gru(2, resetAfter: false, name: "gru"), new Gru(2, layerNormalization: true, name: "gru_ln"),
            new SimpleRnn(2, activation: "relu", name: "rnn"), new LayerNormalization(axes: [1, 2], name: "ln"),
            new GroupNormalization(groups: 2, name: "gn"), new Normalization(mean: [1f, 2f], variance: [3f, 4f], name: "norm"),
            new BatchNormalization(renorm: true, renormClipping: new RenormClipping(rMax: 2f), virtualBatchSize: 4, name: "renorm")]);
        foreach (var layer in layers)
        {
            var copy = layer.CloneConfiguration();
            Assert.Equal(layer.GetType(), copy.GetType());
            Assert.Equal(layer.Name, copy.Name);
            Assert.False(copy.IsBuilt);
            Assert.Equal(ModelFile.Json(w => LayerConfig.Write(w, layer)), ModelFile.Json(w => LayerConfig.Write(w, copy)));
        }
    }

    [Fact]
    public void A_copy_keeps_an_initializer_that_has_no_name_in_files()
    {
        var custom = new HalfInitializer();
        var dense = new Dense(2, kernelInitializer: custom, name: "custom");
        Assert.Same(custom, ((Dense)dense.CloneConfiguration()).KernelInitializer);
        var x = Input.Of(2);
        var shared = dense.Call(dense.Call(x)); // the second call runs a copy
        var model = new Model(x, shared);
        Assert.Equal(6, model.CountParams());
    }

    private sealed class HalfInitializer : Initializer
    {
        public override string Name => "half";

        public override void Fill(Shape shape, Random random, Span<float> values) => values.Fill(0.5f);
    }
}
