using System.Text.Json;
using Strata.Layers;

namespace Strata.Parity.Tests;

/// <summary>
/// Conv2D and MaxPooling2D against PyTorch's conv2d and max_pool2d (tools/fixtures/conv.py): NCHW permuted to
/// NHWC, kernels transposed to Keras's [kh, kw, in, out], TensorFlow's "same" padding reproduced by explicit pads.
/// Forward output and every gradient within 1e-4 relative. Sizes are ints (square) or [height, width] pairs.
/// </summary>
public class ConvParityTests
{
    private static readonly JsonElement Data = Fixture.Load("conv.json");

    public static TheoryData<int> ConvCases() => [.. Enumerable.Range(0, Data.GetProperty("conv").GetArrayLength())];

    public static TheoryData<int> PoolCases() => [.. Enumerable.Range(0, Data.GetProperty("maxpool").GetArrayLength())];

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2D_matches_torch_conv2d(int index)
    {
        var c = Data.GetProperty("conv")[index];
        int n = c.GetProperty("n").GetInt32(), h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32(), cin = c.GetProperty("cin").GetInt32();
        var conv = new Conv2D(c.GetProperty("filters").GetInt32(), Size(c, "k"), strides: Size(c, "stride"),
            padding: c.GetProperty("padding").GetString()!, dilationRate: Size(c, "dilation"));
        var outShape = conv.Build(new Shape(h, w, cin), new Random(1));
        c.Floats("kernel").CopyTo(conv.Kernel.Value);
        c.Floats("bias").CopyTo(conv.Bias!.Value);
        var y = conv.Forward(new Tensor(new Shape(n, h, w, cin), c.Floats("x")), training: true);
        Fixture.Close("y", c.Floats("y"), y.Span);
        var dx = conv.Backward(new Tensor(outShape.WithBatch(n), c.Floats("dy")));
        Fixture.Close("dx", c.Floats("dx"), dx.Span);
        Fixture.Close("dkernel", c.Floats("dkernel"), conv.Kernel.Gradient);
        Fixture.Close("dbias", c.Floats("dbias"), conv.Bias.Gradient);
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void MaxPooling2D_matches_torch_max_pool2d(int index)
    {
        var p = Data.GetProperty("maxpool")[index];
        int n = p.GetProperty("n").GetInt32(), h = p.GetProperty("h").GetInt32(), w = p.GetProperty("w").GetInt32(), ch = p.GetProperty("c").GetInt32();
        var pool = new MaxPooling2D(Size(p, "pool"), Size(p, "stride"), p.GetProperty("padding").GetString()!);
        var outShape = pool.Build(new Shape(h, w, ch), new Random(1));
        var y = pool.Forward(new Tensor(new Shape(n, h, w, ch), p.Floats("x")), training: true);
        Fixture.Close("y", p.Floats("y"), y.Span);
        var dx = pool.Backward(new Tensor(outShape.WithBatch(n), p.Floats("dy")));
        Fixture.Close("dx", p.Floats("dx"), dx.Span);
    }

    /// <summary>A fixture size: one int for both axes, or [height, width].</summary>
    private static Size2D Size(JsonElement e, string key)
    {
        var v = e.GetProperty(key);
        return v.ValueKind == JsonValueKind.Number ? v.GetInt32() : (v[0].GetInt32(), v[1].GetInt32());
    }
}
