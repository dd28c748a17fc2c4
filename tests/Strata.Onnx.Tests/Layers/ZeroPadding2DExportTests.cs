using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class ZeroPadding2DExportTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(0, 2, 3, 1)]
    [InlineData(3, 0, 0, 0)]
    public void ZeroPadding2D_alone_matches(int top, int bottom, int left, int right)
    {
        var model = Built([4, 5, 3], new ZeroPadding2D((top, bottom), (left, right)));
        AssertMatches(model, Random(new Shape(2, 4, 5, 3), seed: top + right));
    }

    [Fact]
    public void ResNet_stem_padding_before_a_strided_convolution_and_pooling_matches()
    {
        var model = Built([9, 8, 2],
            new ZeroPadding2D(3),
            new Conv2D(4, 7, strides: 2),
            new ZeroPadding2D(1),
            new MaxPooling2D(3, strides: 2),
            new GlobalAveragePooling2D());
        Randomize(model, 3);
        AssertMatches(model, Random(new Shape(3, 9, 8, 2), seed: 4));
        var pad = OnnxExporter.BuildModel(model, 17).Graph.Node.First(n => n.OpType == "Pad");
        Assert.Equal("constant", pad.Attribute.Single(a => a.Name == "mode").S.ToStringUtf8());
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(18)]
    [InlineData(21)]
    public void Padding_before_max_pooling_keeps_its_zeros_in_onnx_runtime(int opset)
    {
        // ONNX Runtime's PadFusion would fold a plain 4-D Pad into the MaxPool, whose pads act as −∞: every window of
        // negative values at the border would then give a negative maximum instead of the padded 0.
        var model = Built([6, 5, 2], new ZeroPadding2D(1), new MaxPooling2D(3, strides: 2));
        var x = Random(new Shape(2, 6, 5, 2), seed: 5);
        for (int i = 0; i < x.Length; i++) x[i] = -1 - Math.Abs(x[i]);
        Assert.Contains(0f, model.Predict(x).Span.ToArray());
        AssertMatches(model, x, opset);
    }
}
