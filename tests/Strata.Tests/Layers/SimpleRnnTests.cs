using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class SimpleRnnTests
{
    [Theory]
    [InlineData(3, 5, 4, 3, false, "tanh")]
    [InlineData(3, 5, 4, 3, true, "tanh")]
    [InlineData(2, 1, 2, 5, false, "tanh")]
    [InlineData(2, 1, 2, 5, true, "tanh")]
    [InlineData(1, 7, 3, 2, true, "sigmoid")]
    [InlineData(2, 4, 3, 4, false, "elu")]
    public void Gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences, string activation)
    {
        RecurrentTests.CheckGradients(new SimpleRnn(units, activation: activation, returnSequences: returnSequences,
            biasInitializer: Initializers.RandomNormal(0.3f)), batch, time, features, units);
    }

    [Theory]
    [InlineData(3, 5, 4, 3, false, true)]
    [InlineData(2, 4, 3, 4, true, true)]
    [InlineData(2, 3, 2, 5, true, false)]
    public void Layer_normalized_gradients_match_finite_differences(int batch, int time, int features, int units, bool returnSequences, bool useBias)
    {
        RecurrentTests.CheckGradients(new SimpleRnn(units, returnSequences: returnSequences, useBias: useBias,
            biasInitializer: Initializers.RandomNormal(0.3f), layerNormalization: true), batch, time, features, units);
    }

    [Fact]
    public void Layer_normalization_normalizes_the_summed_inputs_of_each_step()
    {
        // Ba et al. (2016, §3.1): h_t = tanh(γ ⊙ (a_t − μ_t)/σ_t + b) with a_t = x_t·W + h_{t−1}·U, μ_t and σ_t over the units.
        int batch = 2, time = 3, features = 2, units = 4;
        var rnn = new SimpleRnn(units, returnSequences: true, biasInitializer: Initializers.RandomNormal(0.5f), layerNormalization: true);
        rnn.Build(new Shape(time, features), new Random(3));
        Assert.Equal(["kernel", "recurrent_kernel", "bias", "gamma"], rnn.Weights.Select(w => w.Name.Split('/')[1]));
        GradientChecker.Random(new Shape(units), seed: 5).Span.CopyTo(rnn.Gamma!.Value);
        var x = GradientChecker.Random(new Shape(batch, time, features), seed: 4);
        var y = rnn.Forward(x, training: false);
        var (w, u, b, gamma) = (rnn.Kernel.Value.ToArray(), rnn.RecurrentKernel.Value.ToArray(), rnn.Bias!.Value.ToArray(), rnn.Gamma.Value.ToArray());
        for (int n = 0; n < batch; n++)
        {
            var h = new double[units];
            for (int t = 0; t < time; t++)
            {
                var a = new double[units];
                for (int j = 0; j < units; j++)
                {
                    for (int f = 0; f < features; f++) a[j] += x[(n * time + t) * features + f] * w[f * units + j];
                    for (int k = 0; k < units; k++) a[j] += h[k] * u[k * units + j];
                }
                double mean = a.Average(), std = Math.Sqrt(a.Average(v => (v - mean) * (v - mean)) + Recurrent.LayerNormEpsilon);
                for (int j = 0; j < units; j++)
                {
                    h[j] = Math.Tanh(gamma[j] * (a[j] - mean) / std + b[j]);
                    Assert.Equal(h[j], y[(n * time + t) * units + j], 5);
                }
            }
        }
    }

    [Fact]
    public void Gradients_without_bias_match_finite_differences()
    {
        var rnn = new SimpleRnn(3, returnSequences: true, useBias: false);
        rnn.Build(new Shape(4, 2), new Random(5));
        Assert.Null(rnn.Bias);
        GradientChecker.Check(rnn, GradientChecker.Random(new Shape(2, 4, 2), seed: 9));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_follows_the_recurrence(bool returnSequences)
    {
        int batch = 2, time = 4, features = 3, units = 5;
        var rnn = new SimpleRnn(units, returnSequences: returnSequences, biasInitializer: Initializers.RandomNormal(0.5f));
        var outShape = rnn.Build(new Shape(time, features), new Random(3));
        Assert.Equal(returnSequences ? new Shape(time, units) : new Shape(units), outShape);
        var x = GradientChecker.Random(new Shape(batch, time, features), seed: 4);
        var y = rnn.Forward(x, training: false);
        var w = rnn.Kernel.Value.ToArray();
        var u = rnn.RecurrentKernel.Value.ToArray();
        var b = rnn.Bias!.Value.ToArray();
        for (int n = 0; n < batch; n++)
        {
            var h = new double[units];
            for (int t = 0; t < time; t++)
            {
                var next = new double[units];
                for (int j = 0; j < units; j++)
                {
                    double z = b[j];
                    for (int f = 0; f < features; f++) z += x[(n * time + t) * features + f] * w[f * units + j];
                    for (int k = 0; k < units; k++) z += h[k] * u[k * units + j];
                    next[j] = Math.Tanh(z);
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
    public void Weights_have_keras_names_shapes_and_defaults()
    {
        var rnn = new SimpleRnn(6, name: "r");
        Assert.Equal(new Shape(6), rnn.Build(new Shape(10, 3), new Random(1)));
        Assert.Equal(["r/kernel", "r/recurrent_kernel", "r/bias"], rnn.Weights.Select(w => w.Name));
        Assert.Equal(new Shape(3, 6), rnn.Kernel.Shape);
        Assert.Equal(new Shape(6, 6), rnn.RecurrentKernel.Shape);
        Assert.Equal(3 * 6 + 6 * 6 + 6, rnn.CountParams());
        Assert.Equal("tanh", rnn.Activation.Name);
        Assert.Equal("glorot_uniform", rnn.KernelInitializer.Name);
        Assert.Equal("orthogonal", rnn.RecurrentInitializer.Name);
        Assert.Equal("zeros", rnn.BiasInitializer.Name);
        Assert.False(rnn.ReturnSequences);
        Assert.True(rnn.UseBias);
        Assert.All(rnn.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.StartsWith("simple_rnn", new SimpleRnn(2).Name, StringComparison.Ordinal);
    }
}
