using Strata.Layers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class Conv2DTests
{
    [Theory]
    [InlineData(5, 5, 2, 3, 3, 1, "valid", 1)]
    [InlineData(5, 6, 3, 2, 3, 1, "same", 1)]
    [InlineData(7, 5, 1, 4, 3, 2, "valid", 1)]
    [InlineData(6, 7, 2, 2, 3, 2, "same", 1)]
    [InlineData(7, 7, 2, 3, 3, 1, "valid", 2)]
    [InlineData(6, 5, 3, 2, 2, 1, "same", 2)]
    [InlineData(4, 4, 1, 1, 1, 1, "valid", 1)]
    public void Gradients_match_finite_differences(int h, int w, int cin, int filters, int k, int stride, string padding, int dilation)
    {
        var conv = new Conv2D(filters, k, strides: stride, padding: padding, dilationRate: dilation, activation: "tanh",
            biasInitializer: Initializers.RandomNormal(0.5f));
        conv.Build(new Shape(h, w, cin), new Random(1));
        GradientChecker.Check(conv, GradientChecker.Random(new Shape(2, h, w, cin), seed: h * 10 + w));
    }

    // Rectangular kernels, strides and dilations: (h, w, in, filters, kh, kw, sh, sw, padding, dh, dw).
    [Theory]
    [InlineData(5, 6, 2, 3, 1, 3, 1, 1, "valid", 1, 1)]
    [InlineData(5, 6, 2, 3, 1, 3, 1, 1, "same", 1, 1)]
    [InlineData(6, 5, 2, 2, 3, 2, 1, 1, "valid", 1, 1)]
    [InlineData(6, 5, 2, 2, 3, 2, 1, 1, "same", 1, 1)]
    [InlineData(7, 6, 2, 3, 3, 3, 2, 1, "valid", 1, 1)]
    [InlineData(7, 6, 2, 3, 3, 2, 2, 1, "same", 1, 1)]
    [InlineData(8, 5, 1, 2, 3, 3, 1, 1, "valid", 2, 1)]
    [InlineData(7, 5, 2, 2, 3, 2, 1, 1, "same", 2, 1)]
    [InlineData(5, 8, 2, 2, 2, 3, 1, 3, "same", 1, 1)]
    public void Rectangular_gradients_match_finite_differences(int h, int w, int cin, int filters, int kh, int kw, int sh, int sw,
        string padding, int dh, int dw)
    {
        var conv = new Conv2D(filters, (kh, kw), strides: (sh, sw), padding: padding, dilationRate: (dh, dw), activation: "tanh",
            biasInitializer: Initializers.RandomNormal(0.5f));
        conv.Build(new Shape(h, w, cin), new Random(1));
        GradientChecker.Check(conv, GradientChecker.Random(new Shape(2, h, w, cin), seed: h * 10 + w + kh));
    }

    // (h, w, in, filters, kh, kw, sh, sw, padding, dh, dw); the square cases are the original ones.
    [Theory]
    [InlineData(6, 6, 3, 4, 3, 3, 1, 1, "valid", 1, 1)]
    [InlineData(7, 5, 2, 3, 3, 3, 2, 2, "same", 1, 1)]
    [InlineData(8, 8, 2, 2, 3, 3, 1, 1, "same", 2, 2)]
    [InlineData(5, 4, 1, 2, 2, 2, 2, 2, "same", 1, 1)]
    [InlineData(6, 7, 2, 3, 1, 3, 1, 1, "same", 1, 1)]
    [InlineData(6, 7, 2, 3, 3, 2, 2, 1, "same", 1, 1)]
    [InlineData(7, 6, 2, 3, 3, 2, 1, 2, "valid", 1, 1)]
    [InlineData(9, 6, 2, 2, 3, 2, 1, 1, "same", 2, 1)]
    [InlineData(9, 8, 2, 2, 2, 3, 1, 1, "valid", 1, 3)]
    public void Forward_matches_a_direct_convolution(int h, int w, int cin, int filters, int kh, int kw, int sh, int sw,
        string padding, int dh, int dw)
    {
        var conv = new Conv2D(filters, (kh, kw), strides: (sh, sw), padding: padding, dilationRate: (dh, dw),
            biasInitializer: Initializers.RandomNormal(0.5f));
        var outShape = conv.Build(new Shape(h, w, cin), new Random(2));
        Assert.Equal(new Shape(kh, kw, cin, filters), conv.Kernel.Shape);
        var x = GradientChecker.Random(new Shape(2, h, w, cin), seed: 3);
        var y = conv.Forward(x, training: false);
        int oh = outShape[0], ow = outShape[1];
        // Keras's output sizes per axis: "valid" ⌊(in − d(k − 1) − 1)/s⌋ + 1, "same" ⌈in/s⌉.
        Assert.Equal(padding == "same" ? (h + sh - 1) / sh : (h - dh * (kh - 1) - 1) / sh + 1, oh);
        Assert.Equal(padding == "same" ? (w + sw - 1) / sw : (w - dw * (kw - 1) - 1) / sw + 1, ow);
        // TensorFlow's "same": total padding max((out − 1)s + d(k − 1) + 1 − in, 0) per axis, the smaller half first.
        int padH = padding == "same" ? Math.Max((oh - 1) * sh + dh * (kh - 1) + 1 - h, 0) / 2 : 0;
        int padW = padding == "same" ? Math.Max((ow - 1) * sw + dw * (kw - 1) + 1 - w, 0) / 2 : 0;
        var kernel = conv.Kernel.Value;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int f = 0; f < filters; f++)
                    {
                        double sum = conv.Bias!.Value[f];
                        for (int a = 0; a < kh; a++)
                            for (int b = 0; b < kw; b++)
                            {
                                int ih = i * sh - padH + a * dh, iw = j * sw - padW + b * dw;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                for (int c = 0; c < cin; c++)
                                    sum += (double)x[((n * h + ih) * w + iw) * cin + c] * kernel[((a * kw + b) * cin + c) * filters + f];
                            }
                        Assert.Equal(sum, y[((n * oh + i) * ow + j) * filters + f], 4);
                    }
    }

    [Fact]
    public void Sizes_are_pairs_and_an_int_means_both_axes()
    {
        var square = new Conv2D(4, 3, strides: 2);
        Assert.Equal(new Size2D(3, 3), square.KernelSize);
        Assert.Equal(new Size2D(2, 2), square.Strides);
        Assert.Equal(new Size2D(1, 1), square.DilationRate);
        var rect = new Conv2D(4, (1, 3), strides: (2, 1), padding: "same");
        Assert.Equal((1, 3), (rect.KernelSize.Height, rect.KernelSize.Width));
        Assert.Equal(new Shape(14, 28, 4), rect.Build(new Shape(28, 28, 2)));
        Assert.Equal(new Shape(1, 3, 2, 4), rect.Kernel.Shape);
        Assert.Equal(new Shape(26, 24, 4), new Conv2D(4, (3, 5)).Build(new Shape(28, 28, 1)));
        Assert.Equal(new Shape(24, 26, 4), new Conv2D(4, 3, dilationRate: (2, 1)).Build(new Shape(28, 28, 1)));
        // Keras: any stride ≠ 1 with any dilation ≠ 1 is refused, even on different axes.
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, strides: (2, 1), dilationRate: (1, 2)));
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, strides: (1, 2), dilationRate: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, (3, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, strides: (0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, dilationRate: (1, -1)));
        var e = Assert.Throws<ArgumentException>(() => new Conv2D(4, (1, 5), name: "narrow").Build(new Shape(8, 4, 1)));
        Assert.Contains("1×5", e.Message);
    }

    [Fact]
    public void Output_shapes_and_parameters_follow_keras()
    {
        var conv = new Conv2D(32, 3, padding: "same", name: "c");
        Assert.Equal(new Shape(28, 28, 32), conv.Build(new Shape(28, 28, 1)));
        Assert.Equal(320, conv.CountParams());
        Assert.Equal(new Shape(3, 3, 1, 32), conv.Kernel.Shape);
        Assert.Equal(new Shape(13, 13, 8), new Conv2D(8, 3, strides: 2).Build(new Shape(28, 28, 3)));
        Assert.Equal(new Shape(14, 14, 8), new Conv2D(8, 3, strides: 2, padding: "same").Build(new Shape(28, 28, 3)));
        Assert.Equal(new Shape(24, 24, 4), new Conv2D(4, 3, dilationRate: 2).Build(new Shape(28, 28, 3)));
        var e = Assert.Throws<ArgumentException>(() => new Conv2D(4, 5, name: "tiny").Build(new Shape(3, 3, 1)));
        Assert.Contains("tiny", e.Message);
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 3).Build(new Shape(28, 28)));
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "full"));
    }
}
