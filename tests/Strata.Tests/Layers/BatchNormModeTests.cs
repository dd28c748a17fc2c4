using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;
using Strata.Tests.Models;

namespace Strata.Tests.Layers;

/// <summary>
/// BatchNormalization's mode as lasting state: freezing gives inference mode, unfreezing keeps the moving statistics
/// and trains γ and β ("scale and shift only") until batch statistics are asked for, and the mode is saved and shown.
/// </summary>
public class BatchNormModeTests
{
    private static Sequential Network(int seed)
    {
        var model = new Sequential(
            new Dense(6, inputShape: [4], name: "dense"),
            new BatchNormalization(momentum: 0.5f, name: "bn"),
            new Activation("relu"),
            new Dense(3, activation: "softmax", name: "head")) { Seed = seed };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy);
        return model;
    }

    private static float[][] Statistics(BatchNormalization bn) => [bn.MovingMean.Value.ToArray(), bn.MovingVariance.Value.ToArray()];

    private static float[][] ScaleAndShift(BatchNormalization bn) => [bn.Gamma!.Value.ToArray(), bn.Beta!.Value.ToArray()];

    [Fact]
    public void The_mode_follows_freezing_and_unfreezing_never_back_to_batch_statistics_silently()
    {
        var bn = new BatchNormalization();
        Assert.Equal(BatchNormMode.Training, bn.Mode);
        bn.Trainable = false;
        Assert.Equal(BatchNormMode.Inference, bn.Mode);
        bn.Trainable = true;
        Assert.Equal(BatchNormMode.ScaleAndShift, bn.Mode);
        bn.Mode = BatchNormMode.Training;
        Assert.True(bn.Trainable);
        bn.Mode = BatchNormMode.Inference;
        Assert.False(bn.Trainable);
        Assert.Throws<ArgumentOutOfRangeException>(() => bn.Mode = (BatchNormMode)7);
    }

    [Fact]
    public void A_frozen_then_unfrozen_layer_trains_gamma_and_beta_on_its_moving_statistics_until_asked_otherwise()
    {
        var (x, y) = SequentialTests.Blobs(64, seed: 5);
        var model = Network(seed: 1);
        var bn = (BatchNormalization)model.Layers[1];
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 2, verbose: 0);

        model.Freeze();
        var statistics = Statistics(bn);
        var affine = ScaleAndShift(bn);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 3, verbose: 0);
        Assert.Equal(statistics, Statistics(bn));
        Assert.Equal(affine, ScaleAndShift(bn));

        model.Unfreeze();
        Assert.Equal(BatchNormMode.ScaleAndShift, bn.Mode);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 4, verbose: 0);
        Assert.Equal(statistics, Statistics(bn)); // still the moving statistics, not updated
        Assert.NotEqual(affine, ScaleAndShift(bn)); // γ and β trained

        model.Freeze();
        model.Unfreeze(batchStatistics: true);
        Assert.Equal(BatchNormMode.Training, bn.Mode);
        model.Fit(x, y, epochs: 1, batchSize: 16, seed: 5, verbose: 0);
        Assert.NotEqual(statistics, Statistics(bn));
    }

    [Fact]
    public void Scale_and_shift_gradients_match_finite_differences()
    {
        // y = γ·(x − μ)/√(σ² + ε) + β with the moving μ and σ² as constants: dX, dγ and dβ against the differences.
        var bn = new BatchNormalization();
        bn.Build(new Shape(2, 3, 4), new Random(1));
        GradientChecker.Random(new Shape(4), seed: 2).Span.CopyTo(bn.MovingMean.Value);
        for (int i = 0; i < 4; i++) bn.MovingVariance.Value[i] = 0.5f + i;
        GradientChecker.Random(new Shape(4), seed: 3).Span.CopyTo(bn.Gamma!.Value);
        GradientChecker.Random(new Shape(4), seed: 4).Span.CopyTo(bn.Beta!.Value);
        bn.Mode = BatchNormMode.ScaleAndShift;
        var before = Statistics(bn);

        GradientChecker.Check(bn, GradientChecker.Random(new Shape(3, 2, 3, 4), seed: 5, scale: 2f));

        Assert.Equal(2, bn.TrainableWeights.Count());
        Assert.Equal(before, Statistics(bn));
    }

    [Fact]
    public void The_mode_is_saved_with_the_model_and_shown_by_the_summary()
    {
        var model = new Sequential(
            new Dense(4, inputShape: [3]),
            new BatchNormalization(name: "trained"),
            new BatchNormalization(name: "frozen"),
            new BatchNormalization(name: "affine_only"),
            new Dense(2)) { Seed = 1 };
        ((BatchNormalization)model.Layers[2]).Mode = BatchNormMode.Inference;
        ((BatchNormalization)model.Layers[3]).Mode = BatchNormMode.ScaleAndShift;
        model.Build(new Shape(3));

        string summary = model.Summary();
        Assert.Contains("BatchNormalization in inference mode (moving statistics, nothing trained): frozen", summary, StringComparison.Ordinal);
        Assert.Contains("BatchNormalization in scale and shift only (moving statistics, γ and β trained): affine_only", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("trained,", summary, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), $"strata-bn-mode-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Sequential.Load(path);
            Assert.Equal([BatchNormMode.Training, BatchNormMode.Inference, BatchNormMode.ScaleAndShift],
                loaded.Layers.OfType<BatchNormalization>().Select(b => b.Mode));
            Assert.Equal([BatchNormMode.Training, BatchNormMode.Inference, BatchNormMode.ScaleAndShift],
                model.Clone().Layers.OfType<BatchNormalization>().Select(b => b.Mode));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
