using System.Text.Json;
using Strata.Layers;

namespace Strata.Parity.Tests;

/// <summary>
/// LayerNormalization and GroupNormalization against PyTorch's LayerNorm (normalized_shape = the trailing axes) and
/// GroupNorm (on NCHW, permuted to NHWC) from tools/fixtures/norms.py, each case with its own ε. Output, dX, dγ and
/// dβ of one training pass within 1e-4 relative.
/// </summary>
public class NormalizationParityTests
{
    private static readonly JsonElement Data = Fixture.Load("norms.json");

    public static TheoryData<int> LayerNormCases() => [.. Enumerable.Range(0, Data.GetProperty("layer_norm").GetArrayLength())];

    public static TheoryData<int> GroupNormCases() => [.. Enumerable.Range(0, Data.GetProperty("group_norm").GetArrayLength())];

    [Theory]
    [MemberData(nameof(LayerNormCases))]
    public void Layer_normalization_matches_torch(int index)
    {
        var c = Data.GetProperty("layer_norm")[index];
        Check(new LayerNormalization(c.Ints("axes"), epsilon: c.GetProperty("epsilon").GetSingle()), c);
    }

    [Theory]
    [MemberData(nameof(GroupNormCases))]
    public void Group_normalization_matches_torch(int index)
    {
        var c = Data.GetProperty("group_norm")[index];
        Check(new GroupNormalization(c.GetProperty("groups").GetInt32(), epsilon: c.GetProperty("epsilon").GetSingle()), c);
    }

    private static void Check(PerSampleNormalization layer, JsonElement c)
    {
        int[] shape = c.Ints("shape");
        layer.Build(new Shape(shape[1..]), new Random(1));
        c.Floats("gamma").CopyTo(layer.Gamma!.Value);
        c.Floats("beta").CopyTo(layer.Beta!.Value);
        var y = layer.Forward(new Tensor(new Shape(shape), c.Floats("x")), training: true);
        Fixture.Close("y", c.Floats("y"), y.Span);
        var dx = layer.Backward(new Tensor(new Shape(shape), c.Floats("dy")));
        Fixture.Close("dx", c.Floats("dx"), dx.Span);
        Fixture.Close("dgamma", c.Floats("dgamma"), layer.Gamma.Gradient);
        Fixture.Close("dbeta", c.Floats("dbeta"), layer.Beta.Gradient);
    }
}
