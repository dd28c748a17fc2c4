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

    [Theory]
    [InlineData(6, 6, 3, 4, 3, 1, "valid", 1)]
    [InlineData(7, 5, 2, 3, 3, 2, "same", 1)]
    [InlineData(8, 8, 2, 2, 3, 1, "same", 2)]
    [InlineData(5, 4, 1, 2, 2, 2, "same", 1)]
    public void Forward_matches_a_direct_convolution(int h, int w, int cin, int filters, int k, int stride, string padding, int dilation)
    {
        var conv = new Conv2D(filters, k, strides: stride, padding: padding, dilationRate: dilation, biasInitializer: Initializers.RandomNormal(0.5f));
        var outShape = conv.Build(new Shape(h, w, cin), new Random(2));
        var x = GradientChecker.Random(new Shape(2, h, w, cin), seed: 3);
        var y = conv.Forward(x, training: false);
        int oh = outShape[0], ow = outShape[1];
        // TensorFlow's "same": total padding max((out − 1)s + d(k − 1) + 1 − in, 0), the smaller half first.
        int padH = padding == "same" ? Math.Max((oh - 1) * stride + dilation * (k - 1) + 1 - h, 0) / 2 : 0;
        int padW = padding == "same" ? Math.Max((ow - 1) * stride + dilation * (k - 1) + 1 - w, 0) / 2 : 0;
        var kernel = conv.Kernel.Value;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int f = 0; f < filters; f++)
                    {
                        double sum = conv.Bias!.Value[f];
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++)
                            {
                                int ih = i * stride - padH + a * dilation, iw = j * stride - padW + b * dilation;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                for (int c = 0; c < cin; c++)
                                    sum += (double)x[((n * h + ih) * w + iw) * cin + c] * kernel[((a * k + b) * cin + c) * filters + f];
                            }
                        Assert.Equal(sum, y[((n * oh + i) * ow + j) * filters + f], 4);
                    }
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
