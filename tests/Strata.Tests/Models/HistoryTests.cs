using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

public class HistoryTests
{
    [Fact]
    public void Fit_records_gradient_norms_before_clipping_per_step_and_per_weight()
    {
        var (x, y) = SequentialTests.Blobs(96, seed: 21);
        var model = new Sequential(new Dense(8, activation: "tanh", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 3 };
        model.Compile(new Sgd(0.1f, clipNorm: 1e-3f), Losses.SparseCategoricalCrossentropy);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, seed: 4);
        Assert.Equal(6, history.GradientNorms.Count);
        Assert.Equal(2, history.EpochGradientNorms.Count);
        for (int step = 0; step < 6; step++)
        {
            double[] perWeight = history.WeightGradientNorms[step];
            Assert.Equal(4, perWeight.Length);
            double combined = Math.Sqrt(perWeight.Sum(n => n * n));
            Assert.Equal(history.GradientNorms[step], combined, 6);
            Assert.True(perWeight.Max() > 1e-3, "norms are recorded before clipping");
        }
        Assert.Empty(history.Warnings);
    }

    [Fact]
    public void An_exploding_step_is_reported()
    {
        var (x, _) = SequentialTests.Blobs(64, seed: 22);
        var y = new Tensor(new Shape(64, 1));
        for (int i = 0; i < 4; i++) x[40, i] = 1e4f; // one wild sample: its MSE gradient is ~10⁸ times the others'
        var model = new Sequential(new Dense(1, inputShape: [4])) { Seed = 5 };
        model.Compile(new Sgd(1e-12f), Losses.MeanSquaredError);
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false);
        Assert.Contains(history.Warnings, w => w.Contains("exploding", StringComparison.Ordinal));
    }
}
