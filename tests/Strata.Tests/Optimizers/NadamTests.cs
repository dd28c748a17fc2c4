using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Optimizers;

/// <summary>
/// Nadam against its formula, computed here in double for one weight: μₜ = β₁(1 − ½·0.96^(0.004t)),
/// Πₜ = μ₁…μₜ, m̂ = μₜ₊₁m/(1 − Πₜμₜ₊₁) + (1 − μₜ)g/(1 − Πₜ), v̂ = v/(1 − β₂ᵗ), w ← w − η·m̂/(√v̂ + ε).
/// (PyTorch 1.13's NAdam multiplies μₜ into Πₜ₊₁ twice, so it cannot serve as the reference.)
/// </summary>
public class NadamTests
{
    [Fact]
    public void Five_steps_follow_the_formula()
    {
        // One weight w = 1 with MSE against 0 at x = 1: g = 2w.
        var model = new Sequential(new Dense(1, useBias: false, kernelInitializer: Initializers.Ones, inputShape: [1])) { Seed = 1 };
        model.Compile(new Nadam(0.1f), Losses.MeanSquaredError);
        var x = Tensor.FromArray(new Shape(1, 1), 1f);
        var y = Tensor.FromArray(new Shape(1, 1), 0f);
        double w = 1, m = 0, v = 0, product = 1;
        const double b1 = 0.9, b2 = 0.999, lr = 0.1, eps = 1e-7;
        static double Mu(int t) => b1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * t));
        for (int t = 1; t <= 5; t++)
        {
            model.TrainOnBatch(x, y);
            double g = 2 * w;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            product *= Mu(t);
            double mHat = Mu(t + 1) * m / (1 - product * Mu(t + 1)) + (1 - Mu(t)) * g / (1 - product);
            double vHat = v / (1 - Math.Pow(b2, t));
            w -= lr * mHat / (Math.Sqrt(vHat) + eps);
            Assert.Equal(w, model.Layers[0].Weights[0].Value[0], 5);
        }
    }
}
