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
    [InlineData("resnet")] // every preset with BatchNormalization: in the graph each BN folds into the conv before it
    public void Presets_fold_completely_and_predict_the_same(string preset)
    {
        var model = Presets.Create(preset, seed: 3);
        model.Compile(new Adam(0.01f), Losses.SparseCategoricalCrossentropy);
        var x = GradientChecker.Random(new Shape(64, 28, 28), seed: 4, scale: 0.5f);
        var y = new Tensor(new Shape(64));
        for (int i = 0; i < 64; i++) y[i] = i % 10;
        model.Fit(x, y, epochs: 2, batchSize: 16, seed: 5); // moving statistics away from their initial values
        var before = model.Predict(x).Span.ToArray();
        var weightsBefore = model.Layers.SelectMany(l => l.Weights).Select(w => w.Value.ToArray()).ToArray();

        var folded = model.FoldBatchNormalization(out FoldReport report, x); // the self-check runs on the training inputs
        Assert.Empty(report.Kept);
        Assert.Equal(model.Layers.Count(l => l is BatchNormalization), report.Folded.Count);
        Assert.True(report.MaxRelativeDifference <= 1e-5, $"{report.MaxRelativeDifference}");
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
    public void A_batch_norm_after_a_rectangular_conv_folds_and_keeps_its_geometry()
    {
        // Folding scales the kernel's output columns: it does not depend on the window, so a (1, 3) kernel with
        // strides (2, 1) and a (3, 2) kernel with dilation (2, 1) fold exactly as square ones do.
        var model = new Sequential(
            new Conv2D(3, (1, 3), strides: (2, 1), padding: "same", useBias: false, inputShape: [11, 6, 2]), // → [6, 6, 3]
            new BatchNormalization(),
            new Activation("relu"),
            new Conv2D(2, (3, 2), dilationRate: (2, 1)), // → [2, 5, 2]
            new BatchNormalization(),
            new MaxPooling2D((1, 2))) { Seed = 2 };
        model.Compile(new Adam(0.01f), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(32, 11, 6, 2), seed: 3);
        var y = GradientChecker.Random(new Shape(32, 2, 2, 2), seed: 4);
        model.Fit(x, y, epochs: 2, batchSize: 8, seed: 5);
        var before = model.Predict(x).Span.ToArray();

        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Empty(kept);
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
        var first = Assert.IsType<Conv2D>(folded.Layers[0]);
        Assert.Equal((new Size2D(1, 3), new Size2D(2, 1)), (first.KernelSize, first.Strides));
        Assert.Equal(new Size2D(2, 1), Assert.IsType<Conv2D>(folded.Layers[2]).DilationRate);
        var after = folded.Predict(x).Span.ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-5 * Math.Max(1, Math.Abs(before[i])) + 1e-6, $"[{i}] {before[i]} vs {after[i]}");
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

    /// <summary>Gives every BN non-trivial statistics and parameters, so a wrong fold shows in the predictions.</summary>
    internal static void Scramble(Model model)
    {
        var random = new Random(7);
        foreach (var bn in model.Layers.OfType<BatchNormalization>())
        {
            foreach (var weight in new[] { bn.MovingMean, bn.Gamma!, bn.Beta! })
            {
                var w = weight.Value;
                for (int f = 0; f < w.Length; f++) w[f] = (float)(random.NextDouble() * 4 - 2);
            }
            var v = bn.MovingVariance.Value;
            for (int f = 0; f < v.Length; f++) v[f] = (float)(random.NextDouble() * 3 + 0.1);
        }
    }

    [Fact]
    public void A_batch_norm_whose_features_a_reshape_spreads_over_kernel_rows_stays()
    {
        // 6 BN features reach Dense(4) as 2 positions of 3: kernel row i meets features i and i + 3.
        var model = new Sequential(new Dense(6, activation: "relu", inputShape: [5]), new BatchNormalization(),
            new Reshape([2, 3]), new Dense(4)) { Seed = 1 };
        model.Build(new Shape(5));
        Scramble(model);
        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Contains(folded.Layers, l => l is BatchNormalization);
        Assert.Contains("more than one feature", Assert.Single(kept));
        var x = GradientChecker.Random(new Shape(7, 5), seed: 2);
        Assert.Equal(model.Predict(x).Span.ToArray(), folded.Predict(x).Span.ToArray());
    }

    [Fact]
    public void A_reshape_that_keeps_one_feature_per_kernel_row_still_folds()
    {
        // 3 BN features at 4 positions reach Dense(5) as rows of 6 = 2·3: row i always meets feature i mod 3.
        var model = new Sequential(new Dense(3, activation: "relu", inputShape: [4, 2]), new BatchNormalization(),
            new Reshape([2, 6]), new Dense(5)) { Seed = 1 };
        model.Build(new Shape(4, 2));
        Scramble(model);
        var folded = model.FoldBatchNormalization(out var kept);
        Assert.Empty(kept);
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
        var x = GradientChecker.Random(new Shape(7, 4, 2), seed: 2);
        float[] before = model.Predict(x).Span.ToArray(), after = folded.Predict(x).Span.ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-5 * Math.Max(1, Math.Abs(before[i])), $"[{i}] {before[i]} vs {after[i]}");
    }

    [Fact]
    public void The_fold_checks_itself_and_refuses_a_model_that_predicts_differently()
    {
        var model = new Sequential(new Dense(6, activation: "relu", inputShape: [5]), new BatchNormalization(),
            new Reshape([2, 3]), new Dense(4)) { Seed = 1 };
        model.Build(new Shape(5));
        Scramble(model);
        BatchNormFolding.IgnoreForwardExactness = true; // the rule before issue 12: this fold is wrong
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => model.FoldBatchNormalization(out FoldReport _));
            Assert.Contains("refused", e.Message, StringComparison.Ordinal);
            Assert.Contains("batch_normalization", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            BatchNormFolding.IgnoreForwardExactness = false;
        }
    }

    [Fact]
    public void The_report_gives_each_folded_layer_and_the_largest_differences()
    {
        var model = new Sequential(new Dense(6, inputShape: [5]), new BatchNormalization(), new Activation("relu"),
            new BatchNormalization(), new Dense(3), new BatchNormalization(), new Activation("tanh")) { Seed = 2 };
        model.Build(new Shape(5));
        Scramble(model);
        var calibration = GradientChecker.Random(new Shape(16, 5), seed: 3);
        var folded = model.FoldBatchNormalization(out FoldReport report, calibration);
        Assert.Equal(16, report.CalibrationSamples);
        Assert.Equal(3, report.Folded.Count);
        Assert.Empty(report.Kept);
        Assert.All(report.Folded, l => Assert.True(l.MaxRelativeDifference <= 1e-5, $"{l.BatchNormalization} into {l.Into}: {l.MaxRelativeDifference}"));
        Assert.Equal(["dense", "dense", "dense"], report.Folded.Select(l => l.Into[..5]).ToArray());
        Assert.True(report.MaxRelativeDifference <= 1e-5 && report.MaxAbsoluteDifference >= 0);
        Assert.DoesNotContain(folded.Layers, l => l is BatchNormalization);
    }
}
