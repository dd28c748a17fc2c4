using Strata.Cli.Models;
using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Inference;

public class BatchNormFoldingTests
{
    [Fact]
    public void The_scalar_vector_of_the_reference()
    {
        // W = 2, b = 1, γ = 3, β = 0.5, moving mean 0.5, moving variance 4, ε = 1e-3 → W′ = 2.99962507, b′ = 1.24990627.
        var model = new Sequential(new Dense(1, inputShape: [1]), new BatchNormalization(epsilon: 1e-3f)) { Seed = 1 };
        model.Build(new Shape(1));
        var dense = (Dense)model.Layers[0];
        var bn = (BatchNormalization)model.Layers[1];
        dense.Kernel.Value[0] = 2f;
        dense.Bias!.Value[0] = 1f;
        bn.Gamma!.Value[0] = 3f;
        bn.Beta!.Value[0] = 0.5f;
        bn.MovingMean.Value[0] = 0.5f;
        bn.MovingVariance.Value[0] = 4f;
        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Empty(kept);
        var only = Assert.IsType<Dense>(Assert.Single(folded.Layers));
        Assert.Equal(2.99962507f, only.Kernel.Value[0], 6);
        Assert.Equal(1.24990627f, only.Bias!.Value[0], 6);
    }

    [Theory]
    [InlineData("mlp-bn")]
    [InlineData("mlp-bn-before-activation")]
    [InlineData("cnn-bn")]
    public void Presets_fold_completely_and_predict_the_same(string preset)
    {
        var model = ModelPresets.Create(preset, seed: 3);
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(64, 28, 28), seed: 4, scale: 0.5f);
        var y = new Tensor(new Shape(64));
        for (int i = 0; i < 64; i++) y[i] = i % 10;
        model.Fit(x, y, epochs: 2, batchSize: 16, seed: 5); // moving statistics away from their initial values
        var before = model.Predict(x).Span.ToArray();
        var weightsBefore = model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();

        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Empty(kept);
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
        var after = folded.Predict(x).Span.ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-5 * Math.Max(1, Math.Abs(before[i])) + 1e-6, $"[{i}] {before[i]} vs {after[i]}");

        // The original is untouched.
        Assert.Equal(before, model.Predict(x).Span.ToArray());
        var weightsAfter = model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();
        for (int i = 0; i < weightsBefore.Length; i++) Assert.Equal(weightsBefore[i], weightsAfter[i]);
    }

    [Fact]
    public void A_batch_norm_that_cannot_fold_stays_and_says_why()
    {
        var model = new Sequential(new Dense(4, activation: "relu", inputShape: [3]), new BatchNormalization(), new Activation("tanh")) { Seed = 1 };
        model.Build(new Shape(3));
        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Contains(folded.Layers, l => l is BatchNormalization);
        Assert.Contains("followed by", Assert.Single(kept));
        var x = GradientChecker.Random(new Shape(5, 3), seed: 2);
        Assert.Equal(model.Predict(x).Span.ToArray(), folded.Predict(x).Span.ToArray());
    }
}
