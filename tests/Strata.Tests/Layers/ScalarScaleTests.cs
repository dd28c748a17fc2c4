using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class ScalarScaleTests
{
    [Fact]
    public void Gradients_match_finite_differences()
    {
        var layer = new ScalarScale();
        layer.Build(new Shape(5, 3));
        layer.Scale.Value[0] = -1.3f;
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(3, 5, 3), seed: 2));
    }

    [Fact]
    public void Multiplies_by_one_scalar_starting_at_one_and_its_gradient_is_x_dot_dy()
    {
        var layer = new ScalarScale();
        layer.Build(new Shape(3));
        Assert.Equal(1f, layer.Scale.Value[0]);
        layer.Scale.Value[0] = 2f;
        var x = Tensor.FromArray(new Shape(2, 3), 1, -2, 3, 0, 4, -1);
        Assert.Equal([2f, -4, 6, 0, 8, -2], layer.Forward(x, training: true).Span.ToArray());
        var dy = Tensor.FromArray(new Shape(2, 3), 1, 2, 3, 4, 5, 6);
        Assert.Equal([2f, 4, 6, 8, 10, 12], layer.Backward(dy).Span.ToArray());
        Assert.Equal(1 - 4 + 9 + 0 + 20 - 6, layer.Scale.Gradient[0]);
        var e = Assert.Throws<InvalidOperationException>(() => new ScalarScale(name: "s").Forward(x, training: false));
        Assert.Contains("'s'", e.Message);
    }
}
