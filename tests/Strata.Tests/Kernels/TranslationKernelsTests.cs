using Strata.Kernels;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Kernels;

public class TranslationKernelsTests
{
    [Fact]
    public void Shift_moves_the_image_and_fills_the_border_with_zeros()
    {
        // A 3×3 image of one channel, moved one row down and one column left.
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var y = new float[9];
        TranslationKernels.Shift(x, 3, 3, 1, dy: 1, dx: -1, y);
        Assert.Equal([0, 0, 0, 2, 3, 0, 5, 6, 0], y);
        TranslationKernels.Shift(x, 3, 3, 1, dy: 0, dx: 0, y);
        Assert.Equal(x, y);
        TranslationKernels.Shift(x, 3, 3, 1, dy: 0, dx: 3, y); // a shift as wide as the image leaves nothing
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(2, -1)]
    [InlineData(-3, 2)]
    [InlineData(0, 4)]
    public void The_opposite_shift_is_the_adjoint_that_backpropagation_uses(int dy, int dx)
    {
        // ⟨Shift(x; dy, dx), g⟩ = ⟨x, Shift(g; −dy, −dx)⟩ on a 5×6 image of 3 channels.
        var x = GradientChecker.Random(new Shape(90), seed: 1).Span.ToArray();
        var g = GradientChecker.Random(new Shape(90), seed: 2).Span.ToArray();
        var shifted = new float[90];
        var back = new float[90];
        TranslationKernels.Shift(x, 5, 6, 3, dy, dx, shifted);
        TranslationKernels.Shift(g, 5, 6, 3, -dy, -dx, back);
        double left = shifted.Zip(g, (a, b) => (double)a * b).Sum(), right = x.Zip(back, (a, b) => (double)a * b).Sum();
        Assert.Equal(left, right, 5);
    }
}
