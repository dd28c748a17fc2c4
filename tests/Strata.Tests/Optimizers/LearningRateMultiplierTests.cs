using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Optimizers;

/// <summary>Per-layer learning rates: each update of a layer's weights uses η·multiplier, with any optimizer.</summary>
public class LearningRateMultiplierTests
{
    private static Sequential Network() => new(
        new Dense(5, activation: "tanh", inputShape: [3], name: "body"),
        new Dense(2, name: "head")) { Seed = 3 };

    private static float[] Change(Optimizer optimizer, float bodyMultiplier, int steps = 1)
    {
        var model = Network();
        model.Compile(optimizer, Losses.MeanSquaredError);
        model.SetLearningRateMultiplier(..1, bodyMultiplier);
        var x = GradientChecker.Random(new Shape(8, 3), seed: 1);
        var y = GradientChecker.Random(new Shape(8, 2), seed: 2);
        var before = model.Layers[0].Weights[0].Value.ToArray();
        for (int s = 0; s < steps; s++) model.TrainOnBatch(x, y);
        return [.. model.Layers[0].Weights[0].Value.ToArray().Zip(before, (a, b) => a - b)];
    }

    public static TheoryData<string> OptimizerNames() => ["sgd", "sgd-momentum", "adam", "adamw", "rmsprop", "nadam"];

    private static Optimizer Make(string name) => name switch
    {
        "sgd" => new Sgd(0.1f),
        "sgd-momentum" => new Sgd(0.1f, momentum: 0.9f),
        "adam" => new Adam(0.01f),
        "adamw" => new AdamW(0.01f),
        "rmsprop" => new RmsProp(0.01f),
        _ => new Nadam(0.01f),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void A_multiplier_scales_the_first_update_of_its_layer_only(string optimizer)
    {
        // The first step from the same weights and gradients: every optimizer's step is proportional to η.
        var full = Change(Make(optimizer), 1f);
        var tenth = Change(Make(optimizer), 0.1f);
        for (int i = 0; i < full.Length; i++) Assert.Equal(0.1 * full[i], tenth[i], 1e-6);
        Assert.Contains(full, d => Math.Abs(d) > 1e-4);
    }

    [Fact]
    public void Zero_holds_a_layer_still_and_the_head_trains_as_before()
    {
        Assert.All(Change(new Adam(0.01f), 0f, steps: 3), d => Assert.Equal(0f, d));
        var model = Network();
        var reference = Network();
        model.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        reference.Compile(new Sgd(0.1f), Losses.MeanSquaredError);
        model.SetLearningRateMultiplier(..1, 0f);
        var x = GradientChecker.Random(new Shape(8, 3), seed: 1);
        var y = GradientChecker.Random(new Shape(8, 2), seed: 2);
        model.TrainOnBatch(x, y);
        reference.TrainOnBatch(x, y);
        // The first step's head gradient does not depend on the body's update.
        Assert.Equal(reference.Layers[1].Weights[0].Value.ToArray(), model.Layers[1].Weights[0].Value.ToArray());
    }

    [Fact]
    public void The_multiplier_is_saved_with_the_model_and_bad_values_are_refused()
    {
        var model = Network();
        model.SetLearningRateMultiplier(..1, 0.25f);
        model.Build(new Shape(3));
        var config = model.ToConfig();
        Assert.Contains("\"learning_rate_multiplier\": 0.25", config.Replace("\":0.25", "\": 0.25"), StringComparison.Ordinal);
        Assert.Equal([0.25f, 1f], Model.FromConfig(config).Layers.Select(l => l.LearningRateMultiplier));
        Assert.Equal([0.25f, 1f], model.Clone().Layers.Select(l => l.LearningRateMultiplier));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layers[0].LearningRateMultiplier = -1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layers[0].LearningRateMultiplier = float.NaN);
        var bad = config.Replace("0.25", "-2", StringComparison.Ordinal);
        Assert.Contains("learning-rate multiplier", Assert.ThrowsAny<Exception>(() => Model.FromConfig(bad)).Message, StringComparison.Ordinal);
    }
}
