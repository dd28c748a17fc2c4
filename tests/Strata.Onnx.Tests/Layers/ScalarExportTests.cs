using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class ScalarExportTests
{
    [Fact]
    public void Scalar_bias_and_scale_match_on_features_and_on_an_nchw_image()
    {
        var dense = Built([5], new ScalarBias(), new Dense(4), new ScalarScale(), new ScalarBias());
        Randomize(dense, 1);
        AssertMatches(dense, Random(new Shape(3, 5), seed: 2));

        // After a convolution the value is NCHW; a one-element Add or Mul broadcasts over it all the same.
        var image = Built([4, 5, 2], new ScalarBias(), new Conv2D(3, 3, padding: "same"), new ScalarBias(), new ScalarScale(), new Flatten());
        Randomize(image, 3);
        AssertMatches(image, Random(new Shape(2, 4, 5, 2), seed: 4));
        var ops = OnnxExporter.BuildModel(image, 17).Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(2, ops.Count(op => op == "Add"));
        Assert.Single(ops, "Mul");
    }
}
