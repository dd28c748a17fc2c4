using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class BatchNormalizationExportTests
{
    private static string[] Ops(Sequential model) =>
        [.. OnnxExporter.BuildModel(model, 17).Graph.Node.Select(n => n.OpType)];

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void On_vectors_it_is_onnx_batch_normalization_and_matches(bool center, bool scale)
    {
        var model = Built([6], new BatchNormalization(center: center, scale: scale));
        Randomize(model, 1);
        AssertMatches(model, Random(new Shape(5, 6), seed: 2));
        Assert.Equal(["BatchNormalization"], Ops(model));
    }

    [Fact]
    public void Epsilon_is_written_as_the_layers_not_onnxs_default()
    {
        // With a variance of 1e-3, ε = 1e-3 versus ONNX's default 1e-5 changes the output by a factor of about √2.
        var model = Built([3], new BatchNormalization(epsilon: 1e-3f));
        var bn = (BatchNormalization)model.Layers[0];
        bn.MovingVariance.Value.Fill(1e-3f);
        AssertMatches(model, Random(new Shape(4, 3), seed: 3));
        var node = OnnxExporter.BuildModel(model, 17).Graph.Node.Single();
        Assert.Equal(1e-3f, node.Attribute.Single(a => a.Name == "epsilon").F);
    }

    [Fact]
    public void After_a_convolution_it_normalizes_nchw_channels_with_onnx_batch_normalization()
    {
        var model = Built([5, 6, 2], new Conv2D(3, 3, padding: "same"), new BatchNormalization(epsilon: 0.01f));
        Randomize(model, 4);
        AssertMatches(model, Random(new Shape(3, 5, 6, 2), seed: 5));
        Assert.Equal(["Transpose", "Conv", "BatchNormalization", "Transpose"], Ops(model));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void On_an_nhwc_input_image_it_is_an_exact_multiply_add(bool center, bool scale)
    {
        var model = Built([4, 5, 3], new BatchNormalization(center: center, scale: scale));
        Randomize(model, 6);
        AssertMatches(model, Random(new Shape(2, 4, 5, 3), seed: 7));
        Assert.Equal(["Mul", "Add"], Ops(model));
    }

    [Theory]
    [InlineData(1)]   // height of an NHWC image
    [InlineData(2)]   // width
    [InlineData(-2)]  // the same, counted from the end
    public void Other_axes_of_an_image_match(int axis)
    {
        var model = Built([4, 5, 3], new BatchNormalization(axis));
        Randomize(model, 8);
        AssertMatches(model, Random(new Shape(2, 4, 5, 3), seed: 9));
    }

    [Fact]
    public void Several_axes_match()
    {
        var model = Built([4, 5, 3], new BatchNormalization([1, 2], scale: false));
        Randomize(model, 10);
        AssertMatches(model, Random(new Shape(2, 4, 5, 3), seed: 11));
        var shape = OnnxExporter.BuildModel(model, 17).Graph.Initializer.First().Dims;
        Assert.Equal([4L, 5, 1], shape);
    }

    [Fact]
    public void Height_axis_after_a_convolution_converts_back_to_nhwc_and_matches()
    {
        var model = Built([4, 5, 2], new Conv2D(3, 3, padding: "same"), new BatchNormalization(axis: 1));
        Randomize(model, 12);
        AssertMatches(model, Random(new Shape(2, 4, 5, 2), seed: 13));
    }

    [Fact]
    public void On_sequences_it_normalizes_the_last_axis()
    {
        var model = Built([4, 6], new BatchNormalization());
        Randomize(model, 14);
        AssertMatches(model, Random(new Shape(3, 4, 6), seed: 15));
    }

    [Fact]
    public void After_flattening_an_nchw_image_it_matches()
    {
        var model = Built([3, 4, 2], new Conv2D(2, 2, padding: "same"), new Flatten(), new BatchNormalization(), new Dense(3));
        Randomize(model, 16);
        AssertMatches(model, Random(new Shape(3, 3, 4, 2), seed: 17));
    }

    [Fact]
    public void A_frozen_layer_exports_its_moving_statistics()
    {
        var model = Built([4], new BatchNormalization { Trainable = false });
        Randomize(model, 18);
        AssertMatches(model, Random(new Shape(3, 4), seed: 19));
    }
}
