using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.Serialization;

namespace Strata.Tests.Models;

/// <summary>Cloning models and layers, and loading the weights of one model into another where they pair up.</summary>
public sealed class ModelReuseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-reuse-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Trained()
    {
        var model = TestModelFile.EveryLayer();
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var (x, y) = TestModelFile.Images(48, 1);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 3, verbose: 0);
        return model;
    }

    private static float[][] Values(Model model) => [.. model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray())];

    [Fact]
    public void A_clone_predicts_the_same_and_training_it_leaves_the_original_alone()
    {
        var model = Trained();
        var (x, y) = TestModelFile.Images(32, 2);
        var clone = model.Clone();
        Assert.Equal(model.ToConfig().Replace(model.Name, "@"), clone.ToConfig().Replace(clone.Name, "@"));
        Assert.Equal(model.Predict(x).Span.ToArray(), clone.Predict(x).Span.ToArray());
        var before = Values(model);
        clone.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        clone.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        Assert.Equal(before, Values(model));
        Assert.NotEqual(before, Values(clone));
    }

    [Fact]
    public void A_functional_model_clones_to_a_functional_model()
    {
        var model = FunctionalConfigTests.Graph();
        var clone = model.Clone();
        Assert.IsNotType<Sequential>(clone);
        var (x, _) = FunctionalConfigTests.Data(6, 3);
        Assert.Equal(model.Predict(x)[0].Span.ToArray(), clone.Predict(x)[0].Span.ToArray());
    }

    [Fact]
    public void A_cloned_layer_has_the_weights_and_shares_none_of_them()
    {
        var dense = new Dense(3, activation: "relu", name: "original");
        dense.Build(new Shape(4), new Random(1));
        var copy = (Dense)dense.Clone("copy");
        Assert.Equal("copy", copy.Name);
        Assert.Equal("copy/kernel", copy.Kernel.Name);
        Assert.Equal(dense.Kernel.Value.ToArray(), copy.Kernel.Value.ToArray());
        copy.Kernel.Value[0] += 1;
        Assert.NotEqual(dense.Kernel.Value[0], copy.Kernel.Value[0]);
        Assert.False(new Dense(2).Clone().IsBuilt);
    }

    [Fact]
    public void Weights_load_by_position_into_a_model_with_a_new_head_and_the_report_names_every_mismatch()
    {
        var source = Trained();
        string path = Path.Combine(_dir, "source.safetensors");
        source.Save(path);
        // The same body with other layer names, and a head of 5 classes instead of 3.
        var layers = source.Layers.Select(l => l.Clone($"b_{l.Name}")).ToList();
        layers[^1] = new Dense(5, activation: "softmax", name: "new_head");
        var target = new Sequential([.. layers]) { Seed = 9 };
        target.Build(new Shape(8, 8, 1));

        var byName = target.LoadWeights(path);
        Assert.Empty(byName.Loaded);
        Assert.Equal(target.Layers.Sum(l => l.Weights.Count), byName.Missing.Count);

        var report = target.LoadWeights(path, WeightMatching.ByPosition);
        Assert.Equal(["new_head/kernel", "new_head/bias"], report.Mismatched.Select(m => m.Weight));
        Assert.Equal(new Shape(6, 5), report.Mismatched[0].Expected);
        Assert.Equal(new Shape(6, 3), report.Mismatched[0].Found);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.False(report.IsComplete);
        var loaded = source.Layers.SkipLast(1).SelectMany(l => l.Weights).Select(w => w.Value.ToArray());
        Assert.Equal(loaded, target.Layers.SkipLast(1).SelectMany(l => l.Weights).Select(w => w.Value.ToArray()));

        var strict = Assert.Throws<InvalidOperationException>(() => target.LoadWeights(path, WeightMatching.ByPosition, strict: true));
        Assert.Contains("new_head/kernel", strict.Message);
    }

    [Fact]
    public void Missing_and_unexpected_weights_are_reported_and_strict_loading_changes_nothing()
    {
        var small = new Sequential(new Dense(4, inputShape: [3], name: "a"), new Dense(2, name: "b")) { Seed = 1 };
        small.Build(new Shape(3));
        var large = new Sequential(new Dense(4, inputShape: [3], name: "a"), new Dense(2, name: "b"), new Dense(2, name: "c")) { Seed = 2 };
        large.Build(new Shape(3));

        var report = large.LoadWeightsFrom(small);
        Assert.Equal(["a/kernel", "a/bias", "b/kernel", "b/bias"], report.Loaded);
        Assert.Equal(["c/kernel", "c/bias"], report.Missing);
        var back = small.LoadWeightsFrom(large);
        Assert.Equal(["c/kernel", "c/bias"], back.Unexpected);

        var fresh = new Sequential(new Dense(4, inputShape: [3], name: "a"), new Dense(2, name: "b"), new Dense(2, name: "c")) { Seed = 3 };
        fresh.Build(new Shape(3));
        var before = Values(fresh);
        Assert.Throws<InvalidOperationException>(() => fresh.LoadWeightsFrom(small, strict: true));
        Assert.Equal(before, Values(fresh));
    }

    [Fact]
    public void A_layer_shared_by_two_models_is_trained_by_both_and_a_clone_by_neither()
    {
        var (x, y) = TestModelFile.Images(32, 4);
        var a = new Sequential(new Flatten(inputShape: [8, 8, 1]), new Dense(8, activation: "relu", name: "body"), new Dense(3, activation: "softmax")) { Seed = 1 };
        a.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        a.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        var body = a.Layers[1];
        var clone = a.Clone();

        var b = new Sequential(a.Layers[0], body, new Dense(2, activation: "softmax", name: "other_head")) { Seed = 2 };
        b.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        var cloneBefore = Values(clone);
        var before = body.Weights[0].Value.ToArray();
        var halves = new Tensor(y.Shape, [.. y.Span.ToArray().Select(v => v % 2)]);
        b.Fit(x, halves, epochs: 1, batchSize: 8, verbose: 0);
        var afterB = body.Weights[0].Value.ToArray();
        Assert.NotEqual(before, afterB); // training B changed A's layer
        Assert.Equal(cloneBefore, Values(clone));

        // A trains the shared layer too, from where B left it (its slab takes the weights back).
        a.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        var afterA = body.Weights[0].Value.ToArray();
        Assert.NotEqual(afterB, afterA);
        var fresh = new Sequential(a.Layers[0], body, a.Layers[2]);
        Assert.Equal(a.Predict(x).Span.ToArray(), fresh.Predict(x).Span.ToArray());
    }

    [Fact]
    public void The_summary_marks_the_layers_shared_with_another_model_and_not_a_clone()
    {
        var a = new Sequential(new Flatten(inputShape: [8, 8, 1]), new Dense(8, activation: "relu", name: "body"), new Dense(3, activation: "softmax", name: "head"))
            { Seed = 1, Name = "model_a" };
        a.Build(new Shape(8, 8, 1));
        Assert.DoesNotContain("Shared with other models", a.Summary());
        var clone = a.Clone();
        Assert.DoesNotContain("Shared with other models", clone.Summary());

        var b = new Sequential([.. a.Layers.Take(2), new Dense(2, activation: "softmax", name: "new_head")]) { Name = "model_b" };
        b.Build(new Shape(8, 8, 1));
        string shared = b.Summary().Split('\n').Single(l => l.StartsWith("Shared with other models", StringComparison.Ordinal));
        Assert.EndsWith($"{a.Layers[0].Name} (also in 'model_a'), body (also in 'model_a')", shared);
        string sharedByA = a.Summary().Split('\n').Single(l => l.StartsWith("Shared with other models", StringComparison.Ordinal));
        Assert.EndsWith("body (also in 'model_b')", sharedByA); // A's head is its own
    }
}
