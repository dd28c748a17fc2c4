using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class GruTests
{
    [Theory]
    [InlineData(3, 5, 4, 3, false)]
    [InlineData(3, 5, 4, 3, true)]
    [InlineData(2, 1, 3, 4, false)]
    [InlineData(2, 1, 3, 4, true)]
    [InlineData(1, 6, 2, 5, true)]
    [InlineData(4, 3, 1, 2, false)]
    public void Gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences)
    {
        RecurrentTests.CheckGradients(new Gru(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.3f)),
            batch, time, features, units);
    }

    [Theory]
    [InlineData(3, 5, 4, 3, false)]
    [InlineData(2, 4, 3, 2, true)]
    [InlineData(2, 1, 3, 4, true)]
    public void Layer_normalized_gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences)
    {
        RecurrentTests.CheckGradients(new Gru(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.3f),
            layerNormalization: true), batch, time, features, units);
    }

    [Fact]
    public void Layer_normalized_gradients_with_other_activations_and_no_bias_match_finite_differences()
    {
        var gru = new Gru(3, returnSequences: true, activation: "elu", recurrentActivation: "tanh", useBias: false, layerNormalization: true);
        gru.Build(new Shape(4, 3), new Random(6));
        Assert.Equal(new Shape(9), gru.Gamma!.Shape);
        Assert.Equal(new Shape(9), gru.RecurrentGamma!.Shape);
        // tanh gates through two normalizations curve more than the default step's differences can follow: a smaller step.
        GradientChecker.Check(gru, GradientChecker.Random(new Shape(2, 4, 3), seed: 8), h: 2e-3f);
    }

    [Fact]
    public void Layer_normalization_makes_the_output_independent_of_the_scale_of_both_kernels()
    {
        // x·W and h·U are normalized apart, so W·c and U·c give the same sequence (up to ε's share of the variance,
        // negligible once both products are scaled up).
        var x = GradientChecker.Random(new Shape(2, 5, 3), seed: 2);
        float[] Run(float scale, bool normalized)
        {
            var gru = new Gru(4, returnSequences: true, biasInitializer: Initializers.RandomNormal(0.3f), layerNormalization: normalized);
            gru.Build(new Shape(5, 3), new Random(4));
            foreach (var w in new[] { gru.Kernel, gru.RecurrentKernel })
                for (int i = 0; i < w.Size; i++) w.Value[i] *= scale;
            return gru.Forward(x, training: false).Span.ToArray();
        }
        static double MaxDifference(float[] a, float[] b) => a.Zip(b, (p, q) => (double)Math.Abs(p - q)).Max();
        Assert.True(MaxDifference(Run(10f, true), Run(80f, true)) < 1e-3);
        Assert.True(MaxDifference(Run(10f, false), Run(80f, false)) > 0.1); // without it the scale shows
        Assert.Null(new Gru(4).RecurrentGamma);
    }

    [Fact]
    public void Reset_before_has_no_layer_normalization_and_says_why()
    {
        var gru = new Gru(3, resetAfter: false, layerNormalization: true, name: "old_gru");
        var error = Assert.Throws<NotSupportedException>(() => gru.Build(new Shape(4, 2)));
        Assert.Contains("resetAfter: true", error.Message);
    }

    [Theory]
    [InlineData(3, 5, 4, 3, false)]
    [InlineData(3, 5, 4, 3, true)]
    [InlineData(2, 1, 3, 4, false)]
    [InlineData(2, 1, 3, 4, true)]
    [InlineData(1, 6, 2, 5, true)]
    public void Reset_before_gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences)
    {
        RecurrentTests.CheckGradients(new Gru(units, returnSequences: returnSequences, resetAfter: false, biasInitializer: Initializers.RandomNormal(0.3f)),
            batch, time, features, units);
    }

    [Fact]
    public void Reset_before_with_other_activations_and_no_bias_matches_finite_differences()
    {
        var gru = new Gru(3, returnSequences: true, activation: "elu", recurrentActivation: "tanh", useBias: false, resetAfter: false);
        gru.Build(new Shape(4, 2), new Random(7));
        GradientChecker.Check(gru, GradientChecker.Random(new Shape(2, 4, 2), seed: 5));
    }

    [Fact]
    public void Gradients_with_other_activations_and_no_bias_match_finite_differences()
    {
        var gru = new Gru(3, returnSequences: true, activation: "elu", recurrentActivation: "tanh", useBias: false);
        gru.Build(new Shape(4, 3), new Random(6));
        Assert.Null(gru.Bias);
        GradientChecker.Check(gru, GradientChecker.Random(new Shape(2, 4, 3), seed: 8));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void Forward_follows_the_keras_equations(bool returnSequences, bool resetAfter)
    {
        int batch = 2, time = 3, features = 2, units = 3, width = 3 * units;
        var gru = new Gru(units, returnSequences: returnSequences, resetAfter: resetAfter, biasInitializer: Initializers.RandomNormal(0.5f));
        gru.Build(new Shape(time, features), new Random(3));
        var x = GradientChecker.Random(new Shape(batch, time, features), seed: 4);
        var y = gru.Forward(x, training: false);
        var w = gru.Kernel.Value.ToArray();
        var u = gru.RecurrentKernel.Value.ToArray();
        var b = gru.Bias!.Value.ToArray();
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        for (int n = 0; n < batch; n++)
        {
            var h = new double[units];
            for (int t = 0; t < time; t++)
            {
                // Keras: x̂ = x·W + b_x; reset after: ĥ = h·U + b_h, c = tanh(x̂_h + r ⊙ ĥ_h);
                // reset before: ĥ_zr = h·U_zr, c = tanh(x̂_h + (r ⊙ h)·U_h).
                var xp = new double[width];
                var hp = new double[width];
                for (int j = 0; j < width; j++)
                {
                    xp[j] = b[j];
                    hp[j] = resetAfter ? b[width + j] : 0;
                    for (int f = 0; f < features; f++) xp[j] += x[(n * time + t) * features + f] * w[f * width + j];
                    for (int k = 0; k < units; k++) hp[j] += h[k] * u[k * width + j];
                }
                var next = new double[units];
                var r = new double[units];
                for (int j = 0; j < units; j++) r[j] = Sigmoid(xp[units + j] + hp[units + j]);
                for (int j = 0; j < units; j++)
                {
                    double z = Sigmoid(xp[j] + hp[j]), s;
                    if (resetAfter) s = xp[2 * units + j] + r[j] * hp[2 * units + j];
                    else
                    {
                        s = xp[2 * units + j];
                        for (int k = 0; k < units; k++) s += r[k] * h[k] * u[k * width + 2 * units + j];
                    }
                    next[j] = z * h[j] + (1 - z) * Math.Tanh(s);
                }
                h = next;
                if (returnSequences)
                    for (int j = 0; j < units; j++) Assert.Equal(h[j], y[(n * time + t) * units + j], 1e-5);
            }
            if (!returnSequences)
                for (int j = 0; j < units; j++) Assert.Equal(h[j], y[n * units + j], 1e-5);
        }
    }

    [Fact]
    public void Weights_follow_keras_reset_after()
    {
        var gru = new Gru(4, name: "g");
        Assert.Equal(new Shape(4), gru.Build(new Shape(7, 2), new Random(1)));
        Assert.Equal(["g/kernel", "g/recurrent_kernel", "g/bias"], gru.Weights.Select(w => w.Name));
        Assert.Equal(new Shape(2, 12), gru.Kernel.Shape);
        Assert.Equal(new Shape(4, 12), gru.RecurrentKernel.Shape);
        Assert.Equal(new Shape(2, 12), gru.Bias!.Shape);
        Assert.Equal(3 * (2 * 4 + 4 * 4 + 2 * 4), gru.CountParams());   // Keras: 3·(in·u + u·u + 2u)
        Assert.True(gru.ResetAfter);

        var old = new Gru(4, resetAfter: false, biasInitializer: Initializers.Ones);
        old.Build(new Shape(7, 2), new Random(1));
        Assert.False(old.ResetAfter);
        Assert.Equal(new Shape(12), old.Bias!.Shape);
        Assert.All(old.Bias.Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(3 * (2 * 4 + 4 * 4 + 4), old.CountParams());   // Keras: 3·(in·u + u·u + u)
    }
}
