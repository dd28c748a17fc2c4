using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

/// <summary>LayerNormalization and GroupNormalization through InstanceNormalization, checked with ONNX Runtime.</summary>
public class PerSampleNormalizationExportTests
{
    private static string[] Ops(Sequential model, int opset = 17) =>
        [.. OnnxExporter.BuildModel(model, opset).Graph.Node.Select(n => n.OpType)];

    [Theory]
    [InlineData(new[] { 5 }, new[] { -1 }, true, true)]
    [InlineData(new[] { 4, 6 }, new[] { -1 }, true, true)]
    [InlineData(new[] { 4, 6 }, new[] { -1 }, false, true)]
    [InlineData(new[] { 4, 6 }, new[] { -1 }, true, false)]
    [InlineData(new[] { 4, 6 }, new[] { -1 }, false, false)]
    [InlineData(new[] { 3, 4, 2 }, new[] { 1, 2, 3 }, true, true)]
    [InlineData(new[] { 3, 4, 2 }, new[] { -2, -1 }, true, true)]
    public void Layer_normalization_matches(int[] input, int[] axes, bool center, bool scale)
    {
        var model = Built(input, new LayerNormalization(axes, epsilon: 1e-2f, center: center, scale: scale));
        Randomize(model, 1);
        AssertMatches(model, Random(new Shape([3, .. input]), seed: 2, scale: 3f));
        Assert.Contains("InstanceNormalization", Ops(model));
    }

    [Theory]
    [InlineData(new[] { 8 }, 4)]
    [InlineData(new[] { 5, 6, 6 }, 3)]   // groups gathered across the positions
    [InlineData(new[] { 5, 6, 6 }, 1)]
    [InlineData(new[] { 5, 6, 6 }, -1)]
    [InlineData(new[] { 3, 4, 2, 4 }, 2)]
    public void Group_normalization_matches(int[] input, int groups)
    {
        var model = Built(input, new GroupNormalization(groups, epsilon: 1e-4f));
        Randomize(model, 3);
        AssertMatches(model, Random(new Shape([2, .. input]), seed: 4, scale: 3f));
        Assert.Equal(groups is not (1 or 4), Ops(model).Contains("Transpose")); // only groups that span several positions
    }

    [Fact]
    public void After_a_convolution_group_normalization_reads_strata_layout()
    {
        var model = Built([6, 6, 2], new Conv2D(4, 3, padding: "same"), new GroupNormalization(2), new Conv2D(3, 3));
        Randomize(model, 5);
        AssertMatches(model, Random(new Shape(2, 6, 6, 2), seed: 6));
    }

    [Theory]
    [InlineData(13)]
    [InlineData(18)]
    [InlineData(21)]
    public void Every_supported_opset_matches(int opset)
    {
        var model = Built([4, 6], new LayerNormalization(), new GroupNormalization(3));
        Randomize(model, 7);
        AssertMatches(model, Random(new Shape(3, 4, 6), seed: 8), opset);
    }

    [Fact]
    public void A_layer_normalized_recurrent_layer_is_refused_with_the_reason()
    {
        var model = Built([5, 3], new Lstm(4, layerNormalization: true, name: "ln_lstm"));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(model));
        Assert.Contains("'ln_lstm'", e.Message);
        Assert.Contains("layerNormalization", e.Message);
    }

    [Fact]
    public void Batch_renormalization_and_ghost_batches_export_their_inference_form()
    {
        var model = Built([6], new BatchNormalization(renorm: true, renormClipping: new RenormClipping(rMax: 3, dMax: 5), virtualBatchSize: 2));
        Randomize(model, 9);
        AssertMatches(model, Random(new Shape(5, 6), seed: 10));
        Assert.Equal(["BatchNormalization"], Ops(model));
    }
}
