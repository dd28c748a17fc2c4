using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class NormalizationExportTests
{
    private static string[] Ops(Sequential model) =>
        [.. OnnxExporter.BuildModel(model, 17).Graph.Node.Select(n => n.OpType)];

    [Theory]
    [InlineData(-1, false)]
    [InlineData(-1, true)]
    [InlineData(1, false)]
    [InlineData(null, false)]
    public void Adapted_statistics_export_as_a_multiply_add_that_matches_predict(int? axis, bool invert)
    {
        var data = Random(new Shape(20, 4, 3), seed: 1);
        for (int i = 0; i < data.Length; i++) data[i] = data[i] * 30f + 100f;
        var adapted = new Normalization(axis);
        adapted.Adapt(data);
        var layer = new Normalization(axis, [.. adapted.Mean.Value.ToArray()], [.. adapted.Variance.Value.ToArray()], invert);
        var model = Built([4, 3], layer, new Flatten(), new Dense(2));
        AssertMatches(model, data[..5]);
        Assert.Equal(["Mul", "Add"], Ops(model)[..2]);
    }
}
