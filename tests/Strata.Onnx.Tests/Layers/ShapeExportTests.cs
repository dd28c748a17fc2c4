using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class ShapeExportTests
{
    [Fact]
    public void Flatten_of_an_nhwc_input_keeps_strata_order()
    {
        var model = Built([3, 4, 2], new Flatten());
        AssertMatches(model, Random(new Shape(2, 3, 4, 2), seed: 1));
    }

    [Fact]
    public void Flatten_after_a_convolution_as_the_output_converts_to_hwc_order()
    {
        // Nothing after Flatten can absorb the (c, h, w) order, so the graph converts back before the output.
        var model = Built([3, 5, 1], new Conv2D(3, 2, padding: "same"), new Flatten());
        Randomize(model, 2);
        AssertMatches(model, Random(new Shape(2, 3, 5, 1), seed: 3));
    }

    [Fact]
    public void Flatten_then_dense_permutes_the_kernel_and_needs_no_transpose_back()
    {
        var model = Built([5, 3, 2], new Conv2D(4, 3, padding: "same"), new Flatten(), new Dropout(0.5f), new Dense(6, activation: Activations.Softmax));
        Randomize(model, 4);
        AssertMatches(model, Random(new Shape(3, 5, 3, 2), seed: 5));
        var ops = OnnxExporter.BuildModel(model, 17).Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(["Transpose", "Conv", "Flatten", "Identity", "Gemm", "Softmax"], ops);
    }

    [Fact]
    public void Flatten_then_an_element_wise_activation_then_dense_matches()
    {
        var model = Built([4, 4, 1], new Conv2D(2, 3), new Flatten(), new Activation(Activations.Tanh), new Dense(3));
        Randomize(model, 6);
        AssertMatches(model, Random(new Shape(2, 4, 4, 1), seed: 7));
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("elu")]
    public void An_activation_on_a_flattened_nchw_image_as_the_output_matches(string activation)
    {
        // Softmax over the whole flattened axis does not care that the features are in (c, h, w) order.
        var model = Built([3, 4, 2], new Conv2D(2, 3, padding: "same"), new Flatten(), new Activation(Activations.Get(activation)));
        Randomize(model, 14);
        AssertMatches(model, Random(new Shape(2, 3, 4, 2), seed: 15));
    }

    [Theory]
    [InlineData(new[] { 6, 4 })]
    [InlineData(new[] { -1, 2 })]
    [InlineData(new[] { 2, 3, -1 })]
    [InlineData(new[] { 24 })]
    public void Reshape_matches(int[] target)
    {
        var model = Built([4, 3, 2], new Reshape(target));
        AssertMatches(model, Random(new Shape(3, 4, 3, 2), seed: 8));
    }

    [Fact]
    public void Reshape_after_a_convolution_reads_strata_order()
    {
        var model = Built([4, 4, 2], new Conv2D(3, 3, padding: "same"), new Reshape([8, 6]));
        Randomize(model, 9);
        AssertMatches(model, Random(new Shape(2, 4, 4, 2), seed: 10));
    }

    [Fact]
    public void Dropout_is_the_identity()
    {
        var model = Built([7], new Dropout(0.9f, seed: 1));
        AssertMatches(model, Random(new Shape(5, 7), seed: 11));
        Assert.Equal("Identity", OnnxExporter.BuildModel(model, 17).Graph.Node.Single().OpType);
    }

    [Fact]
    public void Dropout_between_convolutions_keeps_nchw()
    {
        var model = Built([5, 5, 1], new Conv2D(2, 3, padding: "same"), new Dropout(0.3f), new Conv2D(2, 3));
        Randomize(model, 12);
        AssertMatches(model, Random(new Shape(2, 5, 5, 1), seed: 13));
        Assert.Equal(2, OnnxExporter.BuildModel(model, 17).Graph.Node.Count(n => n.OpType == "Transpose"));
    }
}
