using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Serialization;

/// <summary>The normalization family's settings through a saved model and a configuration.</summary>
public sealed class LayerConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-layer-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Normalizations() => new(
        new Lstm(5, returnSequences: true, layerNormalization: true, inputShape: [6, 4], name: "lstm"),
        new LayerNormalization(epsilon: 1e-2f, center: false, gammaInitializer: Initializers.RandomNormal(0.2f, 1f), name: "ln"),
        new SimpleRnn(4, returnSequences: true, layerNormalization: true, name: "rnn"),
        new GroupNormalization(groups: 2, epsilon: 1e-4f, scale: false, name: "gn"),
        new Reshape([6, 2, 2]),
        new LayerNormalization(axes: [2, 3], name: "ln_image"),
        new BatchNormalization(momentum: 0.9f, renorm: true, renormClipping: new RenormClipping(rMax: 3f, dMax: 5f), renormMomentum: 0.8f,
            virtualBatchSize: 4, name: "brn"),
        new Flatten(),
        new Dense(2)) { Seed = 1 };

    [Fact]
    public void Every_setting_and_weight_survives_save_and_load()
    {
        var model = Normalizations();
        model.Compile(new Adam(0.01f), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(12, 6, 4), seed: 2);
        model.Fit(x, GradientChecker.Random(new Shape(12, 2), seed: 3), epochs: 2, batchSize: 6, seed: 1);
        string path = Path.Combine(_dir, "norms.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);

        var expected = model.Layers.SelectMany(l => l.Weights).ToArray();
        var actual = loaded.Layers.SelectMany(l => l.Weights).ToArray();
        Assert.Equal(expected.Select(w => (w.Name, w.Shape, w.Trainable)), actual.Select(w => (w.Name, w.Shape, w.Trainable)));
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i].Value.SequenceEqual(actual[i].Value), expected[i].Name);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());

        Assert.True(Assert.IsType<Lstm>(loaded.Layers[0]).LayerNormalization);
        Assert.True(Assert.IsType<SimpleRnn>(loaded.Layers[2]).LayerNormalization);
        var ln = Assert.IsType<LayerNormalization>(loaded.Layers[1]);
        Assert.Equal((1e-2f, false, true, "random_normal"), (ln.Epsilon, ln.Center, ln.Scale, ln.GammaInitializer.Name));
        var gn = Assert.IsType<GroupNormalization>(loaded.Layers[3]);
        Assert.Equal((2, -1, 1e-4f, true, false), (gn.Groups, gn.Axis, gn.Epsilon, gn.Center, gn.Scale));
        Assert.Equal([2, 3], Assert.IsType<LayerNormalization>(loaded.Layers[5]).Axis);
        var brn = Assert.IsType<BatchNormalization>(loaded.Layers[6]);
        Assert.Equal((true, 0.8f, 4), (brn.Renorm, brn.RenormMomentum, brn.VirtualBatchSize));
        Assert.Equal(new RenormClipping(rMax: 3f, dMax: 5f), brn.RenormClipping);

        loaded.Save(Path.Combine(_dir, "again.safetensors"));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(_dir, "again.safetensors")));
    }

    [Fact]
    public void The_tensorflow_only_settings_are_written_only_when_set()
    {
        var plain = new Sequential(new BatchNormalization(inputShape: [4, 3]), new Lstm(2)) { Seed = 1 };
        plain.Build(new Shape(4, 3));
        string json = plain.ToConfig();
        foreach (string key in new[] { "renorm", "virtual_batch_size", "layer_normalization" })
            Assert.DoesNotContain($"\"{key}", json, StringComparison.Ordinal);

        var model = Normalizations();
        model.Build(new Shape(6, 4));
        json = model.ToConfig();
        Assert.Contains("\"renorm\":true,\"renorm_clipping\":{\"rmax\":3,\"dmax\":5},\"renorm_momentum\":0.8", json, StringComparison.Ordinal);
        Assert.Contains("\"virtual_batch_size\":4", json, StringComparison.Ordinal);
        Assert.Equal(json, Sequential.FromConfig(json).ToConfig());
    }

    [Theory]
    [InlineData("\"rmax\":3", "\"rmax\":0.5", "rMax")]
    [InlineData("\"rmax\":3", "\"rmx\":3", "unknown setting 'rmx'")]
    [InlineData("\"virtual_batch_size\":4", "\"virtual_batch_size\":0", "'virtual_batch_size'")]
    [InlineData("\"layer_normalization\":true", "\"layer_normalization\":1", "'layer_normalization'")]
    [InlineData("\"groups\":2", "\"groups\":3", "groups")]
    [InlineData("\"renorm\":true", "\"renorm\":false", "renorm")]
    public void Bad_settings_are_refused_with_the_layer(string setting, string replacement, string reason)
    {
        var model = Normalizations();
        model.Build(new Shape(6, 4));
        string json = model.ToConfig();
        Assert.Contains(setting, json, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.FromConfig(json.Replace(setting, replacement, StringComparison.Ordinal)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
