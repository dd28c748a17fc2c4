using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class Conv2DExportTests
{
    [Theory]
    [InlineData(5, 7, 3, 1, 1, "valid", 1)]
    [InlineData(5, 7, 3, 1, 1, "same", 1)]
    [InlineData(8, 8, 3, 2, 1, "same", 1)]   // even input, stride 2: total padding 1, all of it at the end
    [InlineData(9, 6, 3, 2, 1, "same", 1)]
    [InlineData(9, 7, 3, 2, 1, "valid", 1)]
    [InlineData(6, 6, 2, 1, 1, "same", 1)]   // even kernel: the one padded row and column go at the end
    [InlineData(7, 5, 4, 3, 1, "same", 1)]
    [InlineData(7, 8, 3, 1, 2, "same", 1)]   // dilation
    [InlineData(9, 9, 3, 1, 3, "valid", 1)]
    [InlineData(4, 5, 1, 1, 1, "valid", 1)]
    [InlineData(6, 5, 3, 2, 1, "same", 3)]   // three input channels
    public void Conv2D_matches(int height, int width, int kernel, int strides, int dilation, string padding, int channels)
    {
        var model = Built([height, width, channels],
            new Conv2D(4, kernel, strides: strides, padding: padding, dilationRate: dilation));
        Randomize(model, 1);
        AssertMatches(model, Random(new Shape(3, height, width, channels), seed: 2));
    }

    // Rectangular geometry: (h, w, kh, kw, sh, sw, dh, dw, padding); each axis gets its own TensorFlow padding.
    [Theory]
    [InlineData(5, 7, 1, 3, 1, 1, 1, 1, "valid")]
    [InlineData(5, 7, 1, 3, 1, 1, 1, 1, "same")]
    [InlineData(8, 7, 3, 2, 2, 1, 1, 1, "same")]   // height: total padding 1 at the end; width: even kernel, 1 at the end
    [InlineData(9, 8, 3, 2, 1, 3, 1, 1, "same")]
    [InlineData(9, 8, 2, 3, 2, 1, 1, 1, "valid")]
    [InlineData(9, 7, 3, 2, 1, 1, 2, 1, "same")]   // dilation on the height only
    [InlineData(6, 9, 2, 3, 1, 1, 1, 3, "valid")]
    public void Rectangular_Conv2D_matches(int height, int width, int kh, int kw, int sh, int sw, int dh, int dw, string padding)
    {
        var model = Built([height, width, 2],
            new Conv2D(4, (kh, kw), strides: (sh, sw), padding: padding, dilationRate: (dh, dw)));
        Randomize(model, 1);
        AssertMatches(model, Random(new Shape(3, height, width, 2), seed: 2));
    }

    [Fact]
    public void Conv2D_without_bias_and_with_an_activation_matches()
    {
        var model = Built([6, 5, 2], new Conv2D(3, 3, padding: "same", useBias: false, activation: Activations.Elu));
        Randomize(model, 3);
        AssertMatches(model, Random(new Shape(2, 6, 5, 2), seed: 4));
    }

    [Fact]
    public void Two_convolutions_transpose_once_each_way()
    {
        var model = Built([6, 6, 1],
            new Conv2D(2, 3, padding: "same", activation: Activations.Relu),
            new Conv2D(3, 3, padding: "same"));
        Randomize(model, 5);
        AssertMatches(model, Random(new Shape(2, 6, 6, 1), seed: 6));
        var transposes = OnnxExporter.BuildModel(model, 17).Graph.Node.Where(n => n.OpType == "Transpose").ToArray();
        Assert.Equal(2, transposes.Length);
        Assert.Equal([0, 3, 1, 2], transposes[0].Attribute.Single(a => a.Name == "perm").Ints);
        Assert.Equal([0, 2, 3, 1], transposes[1].Attribute.Single(a => a.Name == "perm").Ints);
    }

    [Fact]
    public void The_kernel_is_written_as_out_in_kh_kw()
    {
        var model = Built([4, 4, 2], new Conv2D(3, 2, useBias: false));
        var conv = (Conv2D)model.Layers[0];
        for (int i = 0; i < conv.Kernel.Size; i++) conv.Kernel.Value[i] = i; // Strata index ((ky·2 + kx)·2 + ci)·3 + co
        var weights = OnnxExporter.BuildModel(model, 17).Graph.Initializer.Single();
        Assert.Equal([3L, 2, 2, 2], weights.Dims);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weights.RawData.Span);
        for (int co = 0; co < 3; co++)
            for (int ci = 0; ci < 2; ci++)
                for (int ky = 0; ky < 2; ky++)
                    for (int kx = 0; kx < 2; kx++)
                        Assert.Equal(((ky * 2 + kx) * 2 + ci) * 3 + co, values[((co * 2 + ci) * 2 + ky) * 2 + kx]);
    }
}
