using Strata.Layers;
using Strata.Optimizers;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Layers;

public class ZeroPadding2DTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 3, 3, 3)]
    [InlineData(0, 2, 1, 0)]
    [InlineData(2, 0, 0, 3)]
    public void Gradients_match_finite_differences(int top, int bottom, int left, int right)
    {
        var layer = new ZeroPadding2D((top, bottom), (left, right));
        layer.Build(new Shape(3, 4, 2));
        GradientChecker.Check(layer, GradientChecker.Random(new Shape(2, 3, 4, 2), seed: top + 2 * right));
    }

    [Fact]
    public void Values_are_pytorch_f_pad_with_left_right_top_bottom()
    {
        // x [1, 2, 2, 2] (NHWC); F.pad(x_nchw, (left 1, right 0, top 0, bottom 2)) puts x at rows 0–1, columns 1–2.
        var x = Tensor.FromArray(new Shape(1, 2, 2, 2), 1, -1, 2, -2, 3, -3, 4, -4);
        var layer = new ZeroPadding2D((0, 2), (1, 0));
        Assert.Equal(new Shape(4, 3, 2), layer.Build(new Shape(2, 2, 2)));
        float[] expected =
        [
            0, 0, 1, -1, 2, -2,
            0, 0, 3, -3, 4, -4,
            0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, layer.Forward(x, training: true).Span.ToArray());
        var dy = new Tensor(new Shape(1, 4, 3, 2));
        for (int i = 0; i < dy.Length; i++) dy[i] = i;
        // dX is dY at the cells x came from: (row 0, col 1), (0, 2), (1, 1), (1, 2).
        Assert.Equal([2f, 3, 4, 5, 8, 9, 10, 11], layer.Backward(dy).Span.ToArray());
    }

    [Fact]
    public void Padding_on_every_side_is_keras_s_int_and_pair_forms()
    {
        var square = new ZeroPadding2D(3);
        Assert.Equal((3, 3, 3, 3), (square.Top, square.Bottom, square.Left, square.Right));
        Assert.Equal(new Shape(230, 230, 3), square.Build(new Shape(224, 224, 3)));
        var pair = new ZeroPadding2D((1, 2));
        Assert.Equal((1, 1, 2, 2), (pair.Top, pair.Bottom, pair.Left, pair.Right));
        var byDefault = new ZeroPadding2D();
        Assert.Equal((1, 1, 1, 1), (byDefault.Top, byDefault.Bottom, byDefault.Left, byDefault.Right));
        Assert.Matches("^zero_padding2d(_\\d+)?$", byDefault.Name);
    }

    [Fact]
    public void Bad_padding_and_shapes_are_refused_with_the_layer_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding2D((1, -1), (0, 0)));
        Assert.Contains("((1, -1), (0, 0))", e.Message);
        var rank = Assert.Throws<ArgumentException>(() => new ZeroPadding2D(1, name: "pad").Build(new Shape(4, 4)));
        Assert.Contains("'pad'", rank.Message);
        Assert.Contains("(None, 4, 4)", rank.Message);
    }

    [Fact]
    public void The_padding_survives_save_and_load()
    {
        var model = new Sequential(
            new ZeroPadding2D((0, 2), (3, 1), inputShape: [4, 5, 1], name: "pad"),
            new Conv2D(2, 3, strides: 2),
            new Flatten(),
            new Dense(2)) { Seed = 1 };
        model.Compile(new Sgd(), Losses.MeanSquaredError);
        var x = GradientChecker.Random(new Shape(3, 4, 5, 1), seed: 2);
        model.Fit(x, GradientChecker.Random(new Shape(3, 2), seed: 3), epochs: 1, batchSize: 3);
        string path = Path.Combine(Path.GetTempPath(), $"strata-zero-padding-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Sequential.Load(path);
            var pad = Assert.IsType<ZeroPadding2D>(loaded.Layers[0]);
            Assert.Equal(("pad", 0, 2, 3, 1), (pad.Name, pad.Top, pad.Bottom, pad.Left, pad.Right));
            Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
