using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class PoolingTests
{
    [Theory]
    [InlineData(4, 4, 2, null, "valid")]
    [InlineData(5, 5, 2, null, "same")]
    [InlineData(7, 6, 3, 2, "valid")]
    [InlineData(5, 7, 3, 2, "same")]
    public void Max_and_average_pooling_gradients_match_finite_differences(int h, int w, int pool, int? strides, string padding)
    {
        var x = GradientChecker.Random(new Shape(2, h, w, 3), seed: h + w);
        var max = new MaxPooling2D(pool, strides, padding);
        max.Build(new Shape(h, w, 3), new Random(1));
        GradientChecker.Check(max, x);
        var average = new AveragePooling2D(pool, strides, padding);
        average.Build(new Shape(h, w, 3), new Random(1));
        GradientChecker.Check(average, x);
    }

    // (h, w, pool h, pool w, stride h, stride w, padding); strides 0 means the default, the window.
    [Theory]
    [InlineData(4, 6, 2, 3, 0, 0, "valid")]
    [InlineData(5, 7, 2, 3, 0, 0, "same")]
    [InlineData(5, 7, 2, 3, 1, 2, "valid")]
    [InlineData(5, 7, 2, 3, 1, 2, "same")]
    [InlineData(6, 5, 3, 1, 2, 1, "same")]
    public void Rectangular_pooling_gradients_match_finite_differences(int h, int w, int ph, int pw, int sh, int sw, string padding)
    {
        Size2D? strides = sh == 0 ? null : (sh, sw);
        var x = GradientChecker.Random(new Shape(2, h, w, 3), seed: h + w + ph);
        var max = new MaxPooling2D((ph, pw), strides, padding);
        max.Build(new Shape(h, w, 3), new Random(1));
        GradientChecker.Check(max, x);
        var average = new AveragePooling2D((ph, pw), strides, padding);
        average.Build(new Shape(h, w, 3), new Random(1));
        GradientChecker.Check(average, x);
    }

    [Fact]
    public void Rectangular_pooling_values_and_shapes()
    {
        // x [1, 2, 4, 1]; a 1×2 window with strides (1, 2) pools each row's pairs.
        var x = Tensor.FromArray(new Shape(1, 2, 4, 1), 1, 5, 2, 4, 3, 9, 8, 6);
        var max = new MaxPooling2D((1, 2));
        Assert.Equal(new Size2D(1, 2), max.Strides); // default strides: the window
        Assert.Equal(new Shape(2, 2, 1), max.Build(new Shape(2, 4, 1)));
        Assert.Equal([5f, 4f, 9f, 8f], max.Forward(x, training: false).Span.ToArray());
        // A 2×3 window, strides (1, 2), "same": output (⌈2/1⌉, ⌈4/2⌉) = (2, 2); height pads 1 row at the end, width
        // pads max((2 − 1)·2 + 3 − 4, 0) = 1 column at the end; padding does not count in the mean.
        var average = new AveragePooling2D((2, 3), strides: (1, 2), padding: "same");
        Assert.Equal(new Shape(2, 2, 1), average.Build(new Shape(2, 4, 1)));
        float[] expected = [(1 + 5 + 2 + 3 + 9 + 8) / 6f, (2 + 4 + 8 + 6) / 4f, (3 + 9 + 8) / 3f, (8 + 6) / 2f];
        var y = average.Forward(x, training: false).Span.ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], y[i], 5); // the kernel multiplies by 1/count
        Assert.Equal(new Shape(14, 9, 8), new MaxPooling2D((2, 3)).Build(new Shape(28, 28, 8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D((2, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D(2, strides: (1, 0)));
        var e = Assert.Throws<ArgumentException>(() => new MaxPooling2D((1, 5), name: "wide").Build(new Shape(4, 4, 1)));
        Assert.Contains("1×5", e.Message);
    }

    [Fact]
    public void Pooling_values_and_shapes()
    {
        var x = Tensor.FromArray(new Shape(1, 2, 3, 1), 1, 5, 2, 4, 3, 9);
        var max = new MaxPooling2D(2, padding: "same");
        Assert.Equal(new Shape(1, 2, 1), max.Build(new Shape(2, 3, 1)));
        Assert.Equal([5f, 9f], max.Forward(x, training: false).Span.ToArray());
        var average = new AveragePooling2D(2, padding: "same");
        average.Build(new Shape(2, 3, 1));
        Assert.Equal([(1 + 5 + 4 + 3) / 4f, (2 + 9) / 2f], average.Forward(x, training: false).Span.ToArray()); // padding does not count
        Assert.Equal(new Shape(14, 14, 32), new MaxPooling2D(2).Build(new Shape(28, 28, 32)));
        Assert.Equal(new Shape(7, 7, 64), new MaxPooling2D(2).Build(new Shape(15, 14, 64)));
    }

    [Fact]
    public void Global_average_pooling_means_each_channel()
    {
        var gap = new GlobalAveragePooling2D();
        Assert.Equal(new Shape(2), gap.Build(new Shape(2, 2, 2)));
        var y = gap.Forward(Tensor.FromArray(new Shape(1, 2, 2, 2), 1, 10, 2, 20, 3, 30, 4, 40), training: false);
        Assert.Equal([2.5f, 25f], y.Span.ToArray());
        var other = new GlobalAveragePooling2D();
        other.Build(new Shape(2, 3, 4));
        GradientChecker.Check(other, GradientChecker.Random(new Shape(3, 2, 3, 4), seed: 5));
    }
}
