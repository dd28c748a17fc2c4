using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class ActivationTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    [InlineData("selu")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("softmax")]
    public void Gradients_match_finite_differences(string name)
    {
        var layer = new Activation(name);
        layer.Build(new Shape(3, 6), new Random(1));
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(2, 3, 6), seed: 11, scale: 2f));
    }

    [Theory]
    [InlineData("relu", -1f, 0f)]
    [InlineData("relu", 2f, 2f)]
    [InlineData("leaky_relu", -1f, -0.2f)]
    [InlineData("elu", -1f, -0.63212055f)]
    [InlineData("elu", 3f, 3f)]
    [InlineData("selu", 1f, 1.05070098f)]
    [InlineData("selu", -1f, -1.11133074f)]
    [InlineData("sigmoid", 0f, 0.5f)]
    [InlineData("tanh", 1f, 0.76159416f)]
    public void Values_match_the_definitions(string name, float x, float expected)
    {
        var layer = new Activation(name);
        layer.Build(new Shape(1), new Random(1));
        Assert.Equal(expected, layer.Forward(Tensor.FromArray(new Shape(1, 1), x), training: false)[0], 5);
    }

    [Fact]
    public void Softmax_subtracts_the_maximum_so_large_logits_stay_finite()
    {
        var layer = new Activation(Activations.Softmax);
        layer.Build(new Shape(3), new Random(1));
        var y = layer.Forward(Tensor.FromArray(new Shape(1, 3), 1000, 1001, 1002), training: false);
        Assert.Equal(0.09003057f, y[0], 6);
        Assert.Equal(0.24472847f, y[1], 6);
        Assert.Equal(0.66524096f, y[2], 6);
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Get("swishy"));
        Assert.Contains("elu", e.Message);
    }
}
