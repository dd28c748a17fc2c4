using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class DenseExportTests
{
    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(7, 5, true)]
    [InlineData(13, 3, false)]
    public void Dense_on_vectors_matches(int inputs, int units, bool useBias)
    {
        var model = Built([inputs], new Dense(units, useBias: useBias));
        Randomize(model, 1);
        AssertMatches(model, Random(new Shape(5, inputs), seed: 2));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Dense_on_rank_3_inputs_uses_matmul_and_matches(bool useBias)
    {
        var model = Built([4, 6], new Dense(3, activation: Activations.Tanh, useBias: useBias));
        Randomize(model, 3);
        AssertMatches(model, Random(new Shape(3, 4, 6), seed: 4));
        var graph = OnnxExporter.BuildModel(model, 17).Graph;
        Assert.Contains(graph.Node, n => n.OpType == "MatMul");
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Gemm");
    }

    [Fact]
    public void Dense_right_after_a_convolution_acts_on_strata_channels()
    {
        // Dense on [N, H, W, C] mixes channels: the NCHW value must go back to NHWC before the MatMul.
        var model = Built([3, 5, 2], new Conv2D(4, 3, padding: "same"), new Dense(3, activation: Activations.Softmax));
        Randomize(model, 5);
        AssertMatches(model, Random(new Shape(2, 3, 5, 2), seed: 6));
    }

    [Fact]
    public void Dense_on_vectors_is_one_gemm()
    {
        var model = Built([5], new Dense(2));
        var node = Assert.Single(OnnxExporter.BuildModel(model, 17).Graph.Node);
        Assert.Equal("Gemm", node.OpType);
        Assert.Equal(3, node.Input.Count);
    }

    [Fact]
    public void Rows_are_permuted_from_hwc_to_chw_order()
    {
        // Image H=2, W=3, C=2; one unit; row r of W holds r, so the permuted column lists Strata's row of each CHW feature.
        float[] kernel = [.. Enumerable.Range(0, 12).Select(i => (float)i)];
        var permuted = Strata.Onnx.Layers.DenseExport.PermuteRowsToChannelsFirst(kernel, new Shape(2, 3, 2), 1);
        // CHW feature (c, h, w) = Strata row (h·3 + w)·2 + c.
        Assert.Equal([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11], permuted);
    }
}
