using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

/// <summary>Batch Normalization health warnings in Fit's History and in Summary, and their absence on a healthy run.</summary>
public class BatchNormHealthTests
{
    private static Sequential Model(float momentum) => new(
        new BatchNormalization(momentum: momentum, inputShape: [4], name: "bn_input"),
        new Dense(8, activation: "relu", name: "hidden"),
        new BatchNormalization(momentum: momentum, name: "bn_hidden"),
        new Dense(3, activation: "softmax", name: "output")) { Seed = 1 };

    private static Sequential Trained(float momentum, Tensor x, Tensor y, int epochs, out History history, bool shuffle = true)
    {
        var model = Model(momentum);
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        history = model.Fit(x, y, epochs: epochs, batchSize: 32, shuffle: shuffle, seed: 2, verbose: 0);
        return model;
    }

    private static IEnumerable<string> About(History history, string layer) => history.Warnings.Where(w => w.StartsWith(layer + ":", StringComparison.Ordinal));

    [Fact]
    public void A_healthy_run_has_no_warning_in_fit_or_in_the_summary()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 3); // 30 steps an epoch; momentum 0.9 warms up in 30
        var model = Trained(0.9f, x, y, epochs: 3, out var history);
        Assert.Empty(history.Warnings);
        Assert.DoesNotContain("Warnings:", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_statistics_that_have_not_warmed_up_are_flagged_until_recalibrated()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 3);
        var model = Trained(0.99f, x, y, epochs: 2, out var history); // 60 updates of the 300 that momentum 0.99 needs
        var warning = Assert.Single(About(history, "bn_input"), w => w.Contains("not warmed up", StringComparison.Ordinal));
        Assert.Contains("60 updates since initialization, fewer than 3/(1 − momentum) = 300; they still hold 55% of their initial values", warning, StringComparison.Ordinal);
        Assert.Contains(About(history, "bn_hidden"), w => w.Contains("not warmed up", StringComparison.Ordinal));
        string summary = model.Summary();
        Assert.Contains("Warnings:\n  bn_input: moving statistics not warmed up", summary.ReplaceLineEndings("\n"), StringComparison.Ordinal);

        model.RecalibrateBatchNormalization(x);
        Assert.DoesNotContain("not warmed up", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_untrained_model_has_no_warning()
    {
        var model = Model(0.99f);
        model.Build(new Shape(4));
        Assert.DoesNotContain("Warnings:", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_statistics_far_from_the_last_epochs_batch_statistics_are_flagged()
    {
        // Unshuffled, the first half of every epoch has inputs near 0 and the second near 3: the moving mean (momentum
        // 0.9, warm after 30 steps) ends near 3, the batch means of the epoch average 1.5.
        var (x, y) = SequentialTests.Blobs(1920, seed: 4);
        for (int i = 960 * 4; i < x.Length; i++) x.Span[i] += 3;
        Trained(0.9f, x, y, epochs: 2, out var history, shuffle: false);
        var warning = Assert.Single(About(history, "bn_input"), w => w.Contains("far from the batch statistics", StringComparison.Ordinal));
        Assert.Contains("RecalibrateBatchNormalization", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(history.Warnings, w => w.Contains("not warmed up", StringComparison.Ordinal));
    }

    [Fact]
    public void A_constant_input_feature_is_flagged_in_fit_and_in_the_summary()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 5);
        for (int i = 0; i < 960; i++) x[i, 2] = 0.5f; // feature 2 never varies
        var model = Trained(0.9f, x, y, epochs: 3, out var history);
        var warning = Assert.Single(history.Warnings);
        Assert.StartsWith("bn_input: constant input — 1 of 4 features have a batch variance under ε = 0.001 (the first: feature 2)", warning, StringComparison.Ordinal);
        Assert.Contains("barely vary in the data itself", warning, StringComparison.Ordinal); // bn_input reads the inputs
        Assert.DoesNotContain("dead units", warning, StringComparison.Ordinal);
        // After 90 updates at momentum 0.9 the moving variance of that feature is 0.9⁹⁰ of its initial 1: under ε too.
        Assert.Contains("bn_input: constant input", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_constant_feature_after_a_layer_points_to_dead_units()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 5);
        var model = Model(0.9f);
        model.Build(new Shape(4));
        var hidden = (Dense)model.Layers.Single(l => l.Name == "hidden");
        // Unit 5 gets 0·x − 1 before its ReLU, so it outputs 0 for every input and no gradient ever revives it.
        for (int i = 0; i < 4; i++) hidden.Kernel.Value[i * 8 + 5] = 0f;
        hidden.Bias!.Value[5] = -1f;
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var history = model.Fit(x, y, epochs: 3, batchSize: 32, seed: 2, verbose: 0);
        var warning = Assert.Single(About(history, "bn_hidden"));
        Assert.StartsWith("bn_hidden: constant input — 1 of 8 features have a batch variance under ε = 0.001 (the first: feature 5)", warning, StringComparison.Ordinal);
        Assert.Contains("The layer before may have dead units.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_functional_model_names_a_constant_input_feature_as_the_datas()
    {
        var (x, y) = SequentialTests.Blobs(960, seed: 5);
        for (int i = 0; i < 960; i++) x[i, 2] = 0.5f;
        var input = Input.Of(4);
        var normalized = new BatchNormalization(momentum: 0.9f, name: "bn_input").Call(new Reshape([4]).Call(input));
        var model = new Model(input, new Dense(3, activation: "softmax").Call(new Dense(8, activation: "relu").Call(normalized))) { Seed = 1 };
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var history = model.Fit(x, y, epochs: 3, batchSize: 32, seed: 2, verbose: 0);
        Assert.Contains("barely vary in the data itself", Assert.Single(About(history, "bn_input")), StringComparison.Ordinal);
    }
}
