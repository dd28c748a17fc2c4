using Strata.Kernels;
using Strata.Kernels.Reference;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Optimizers;

public class SgdTests
{
    /// <summary>One weight w = 1 with loss (w·x)²/2 at x = 1 has gradient w: easy to follow by hand.</summary>
    private static (Sequential Model, Tensor X, Tensor Y) OneWeight(Optimizer optimizer)
    {
        var model = new Sequential(new Dense(1, useBias: false, kernelInitializer: Initializers.Ones, inputShape: [1])) { Seed = 1 };
        model.Compile(optimizer, Losses.MeanSquaredError);
        return (model, Tensor.FromArray(new Shape(1, 1), 1f), Tensor.FromArray(new Shape(1, 1), 0f));
    }

    [Fact]
    public void Plain_sgd_steps_against_the_gradient()
    {
        var (model, x, y) = OneWeight(new Sgd(0.1f));
        model.TrainOnBatch(x, y); // MSE gradient 2w = 2 → w = 1 − 0.2
        Assert.Equal(0.8f, model.Layers[0].Weights[0].Value[0], 6);
    }

    [Fact]
    public void Momentum_follows_keras()
    {
        // Keras: v ← μv − ηg, w ← w + v. g = 2w.
        var (model, x, y) = OneWeight(new Sgd(0.1f, momentum: 0.9f));
        double w = 1, v = 0;
        for (int step = 0; step < 4; step++)
        {
            model.TrainOnBatch(x, y);
            v = 0.9 * v - 0.1 * 2 * w;
            w += v;
            Assert.Equal(w, model.Layers[0].Weights[0].Value[0], 5);
        }
    }

    [Fact]
    public void Nesterov_follows_keras()
    {
        // Keras: v ← μv − ηg, w ← w + μv − ηg.
        var (model, x, y) = OneWeight(new Sgd(0.1f, momentum: 0.9f, nesterov: true));
        double w = 1, v = 0;
        for (int step = 0; step < 4; step++)
        {
            model.TrainOnBatch(x, y);
            double g = 2 * w;
            v = 0.9 * v - 0.1 * g;
            w += 0.9 * v - 0.1 * g;
            Assert.Equal(w, model.Layers[0].Weights[0].Value[0], 5);
        }
    }

    [Fact]
    public void Kernel_matches_its_scalar_twin_for_every_length()
    {
        for (int n = 0; n <= 130; n++)
        {
            foreach (bool nesterov in new[] { false, true })
            {
                var random = new Random(n);
                float[] g = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                float[] v1 = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
                float[] w1 = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
                float[] v2 = (float[])v1.Clone(), w2 = (float[])w1.Clone();
                OptimizerKernels.SgdMomentum(g, 0.05f, 0.9f, nesterov, v1, w1);
                ReferenceOptimizerKernels.SgdMomentum(g, 0.05f, 0.9f, nesterov, v2, w2);
                Assert.Equal(v2, v1);
                for (int i = 0; i < n; i++) Assert.Equal(w2[i], w1[i], 6);
            }
        }
    }

    [Fact]
    public void Plain_kernel_matches_its_scalar_twin_for_every_length()
    {
        for (int n = 0; n <= 130; n++)
        {
            var random = new Random(n);
            float[] g = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] w1 = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            float[] w2 = (float[])w1.Clone();
            OptimizerKernels.Sgd(g, 0.05f, w1);
            ReferenceOptimizerKernels.Sgd(g, 0.05f, w2);
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(w2[i] - w1[i]) <= 1e-6f * Math.Max(1f, Math.Abs(w2[i])), $"[{i}] {w1[i]} vs {w2[i]}"); // FMA rounds once
        }
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: 1f));
    }

    [Fact]
    public void One_optimizer_serves_one_model()
    {
        var optimizer = new Sgd(0.1f);
        var (a, x, y) = OneWeight(optimizer);
        a.TrainOnBatch(x, y);
        var (b, _, _) = OneWeight(optimizer);
        Assert.Throws<InvalidOperationException>(() => b.TrainOnBatch(x, y));
    }
}
