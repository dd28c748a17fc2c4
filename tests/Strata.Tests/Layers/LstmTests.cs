using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class LstmTests
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
        RecurrentTests.CheckGradients(new Lstm(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.3f)),
            batch, time, features, units);
    }

    [Theory]
    [InlineData(3, 5, 4, 3, false)]
    [InlineData(2, 4, 3, 2, true)]
    public void Layer_normalized_gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences)
    {
        RecurrentTests.CheckGradients(new Lstm(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.3f),
            layerNormalization: true), batch, time, features, units);
    }

    [Fact]
    public void Layer_normalized_gradients_with_other_activations_and_no_bias_match_finite_differences()
    {
        var lstm = new Lstm(3, returnSequences: true, activation: "elu", recurrentActivation: "tanh", useBias: false, layerNormalization: true);
        lstm.Build(new Shape(4, 3), new Random(6));
        Assert.Equal(new Shape(12), lstm.Gamma!.Shape);
        GradientChecker.Check(lstm, GradientChecker.Random(new Shape(2, 4, 3), seed: 8));
    }

    [Fact]
    public void Gradients_with_other_activations_and_no_bias_match_finite_differences()
    {
        var lstm = new Lstm(3, returnSequences: true, activation: "elu", recurrentActivation: "tanh", useBias: false);
        lstm.Build(new Shape(4, 3), new Random(6));
        Assert.Null(lstm.Bias);
        GradientChecker.Check(lstm, GradientChecker.Random(new Shape(2, 4, 3), seed: 8));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_follows_the_keras_equations(bool returnSequences)
    {
        int batch = 2, time = 3, features = 2, units = 3, width = 4 * units;
        var lstm = new Lstm(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.5f));
        lstm.Build(new Shape(time, features), new Random(3));
        var x = GradientChecker.Random(new Shape(batch, time, features), seed: 4);
        var y = lstm.Forward(x, training: false);
        var w = lstm.Kernel.Value.ToArray();
        var u = lstm.RecurrentKernel.Value.ToArray();
        var b = lstm.Bias!.Value.ToArray();
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        for (int n = 0; n < batch; n++)
        {
            var h = new double[units];
            var c = new double[units];
            for (int t = 0; t < time; t++)
            {
                var z = new double[width];
                for (int j = 0; j < width; j++)
                {
                    z[j] = b[j];
                    for (int f = 0; f < features; f++) z[j] += x[(n * time + t) * features + f] * w[f * width + j];
                    for (int k = 0; k < units; k++) z[j] += h[k] * u[k * width + j];
                }
                for (int j = 0; j < units; j++)
                {
                    double i = Sigmoid(z[j]), fg = Sigmoid(z[units + j]), g = Math.Tanh(z[2 * units + j]), o = Sigmoid(z[3 * units + j]);
                    c[j] = fg * c[j] + i * g;
                    h[j] = o * Math.Tanh(c[j]);
                }
                if (returnSequences)
                    for (int j = 0; j < units; j++) Assert.Equal(h[j], y[(n * time + t) * units + j], 1e-5);
            }
            if (!returnSequences)
                for (int j = 0; j < units; j++) Assert.Equal(h[j], y[n * units + j], 1e-5);
        }
    }

    [Fact]
    public void Weights_follow_keras_with_a_unit_forget_bias()
    {
        var lstm = new Lstm(4, name: "l");
        Assert.Equal(new Shape(4), lstm.Build(new Shape(7, 2), new Random(1)));
        Assert.Equal(["l/kernel", "l/recurrent_kernel", "l/bias"], lstm.Weights.Select(w => w.Name));
        Assert.Equal(new Shape(2, 16), lstm.Kernel.Shape);
        Assert.Equal(new Shape(4, 16), lstm.RecurrentKernel.Shape);
        Assert.Equal(new Shape(16), lstm.Bias!.Shape);
        Assert.Equal(4 * ((2 + 4) * 4 + 4), lstm.CountParams());
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], lstm.Bias.Value.ToArray());
        Assert.Equal("sigmoid", lstm.RecurrentActivation.Name);
        Assert.Equal("tanh", lstm.Activation.Name);

        var plain = new Lstm(2, unitForgetBias: false, biasInitializer: Initializers.Ones);
        plain.Build(new Shape(3, 1), new Random(1));
        Assert.All(plain.Bias!.Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(new Shape(3, 5), new Lstm(5, returnSequences: true).Build(new Shape(3, 1), new Random(1)));
    }
}
