using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class FlattenTests
{
    [Fact]
    public void Reshapes_without_copying_and_restores_the_gradient_shape()
    {
        var flatten = new Flatten(inputShape: [2, 3]);
        Assert.Equal(new Shape(6), flatten.Build(new Shape(2, 3)));
        var x = GradientChecker.Random(new Shape(4, 2, 3), seed: 1);
        var y = flatten.Forward(x, training: true);
        Assert.Equal(new Shape(4, 6), y.Shape);
        Assert.Same(x.Data, y.Data);
        var dx = flatten.Backward(y);
        Assert.Equal(x.Shape, dx.Shape);
        GradientChecker.Check(flatten, x);
    }

    [Fact]
    public void A_declared_input_shape_must_match()
    {
        var flatten = new Flatten(inputShape: [28, 28], name: "flat");
        var e = Assert.Throws<ArgumentException>(() => flatten.Build(new Shape(28, 27)));
        Assert.Contains("flat", e.Message);
        Assert.Contains("(None, 28, 28)", e.Message);
        Assert.Contains("(None, 28, 27)", e.Message);
    }
}
