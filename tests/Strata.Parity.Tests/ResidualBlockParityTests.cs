using System.Text.Json;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Parity.Tests;

/// <summary>
/// A residual block as a functional model against PyTorch's autograd (tools/fixtures/residual.py): conv → BN → ReLU →
/// conv → BN, plus an identity or projection (conv 1×1 → BN) shortcut, added, then ReLU; BN in training mode. The
/// loss is the mean squared error over every element, so the test goes through Strata's own loop (ComputeGradients):
/// the output, dL/dx, every weight's gradient and the moving statistics after the step, within 1e-4.
/// </summary>
public class ResidualBlockParityTests
{
    private static readonly JsonElement Data = Fixture.Load("residual.json");

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Data.GetProperty("cases").GetArrayLength())];

    private static Model Block(int h, int w, int cin, int filters, int stride, bool projection)
    {
        var x = Input.Of(h, w, cin);
        var main = new Activation("relu", name: "relu1").Call(new BatchNormalization(name: "bn1").Call(
            new Conv2D(filters, 3, strides: stride, padding: "same", name: "conv1").Call(x)));
        main = new BatchNormalization(name: "bn2").Call(new Conv2D(filters, 3, padding: "same", name: "conv2").Call(main));
        var shortcut = projection
            ? new BatchNormalization(name: "bn3").Call(new Conv2D(filters, 1, strides: stride, padding: "same", name: "shortcut").Call(x))
            : x;
        return new Model(x, new Activation("relu", name: "relu2").Call(new Add(name: "add").Call(main, shortcut)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_residual_block_matches_torch_autograd(int index)
    {
        var c = Data.GetProperty("cases")[index];
        int n = c.GetProperty("n").GetInt32(), h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
        int cin = c.GetProperty("cin").GetInt32(), filters = c.GetProperty("filters").GetInt32();
        var model = Block(h, w, cin, filters, c.GetProperty("stride").GetInt32(), c.GetProperty("projection").GetBoolean());
        var weights = model.Layers.SelectMany(l => l.Weights).ToDictionary(v => v.Name);
        foreach (var stored in c.GetProperty("weights").EnumerateObject())
            stored.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray().CopyTo(weights[stored.Name].Value);
        model.Compile(new Sgd(), Losses.MeanSquaredError);
        model.ComputesInputGradients = true;

        var x = new Tensor(new Shape(n, h, w, cin), c.Floats("x"));
        var t = new Tensor(model.OutputShape.WithBatch(n), c.Floats("t"));
        model.ComputeGradients(x, t);
        // The mean over M elements makes every gradient O(1/M): compare M·gradient, the gradient of the sum of squares.
        float m = t.Length;
        Fixture.Close("dx", Scaled(c.Floats("dx"), m), Scaled(model.InputGradient(0)!.Span, m));
        var gradients = c.GetProperty("gradients");
        Assert.Equal(gradients.EnumerateObject().Count(), model.Layers.SelectMany(l => l.TrainableWeights).Count());
        foreach (var g in gradients.EnumerateObject())
            Fixture.Close(g.Name, Scaled(g.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray(), m), Scaled(weights[g.Name].Gradient, m));
        foreach (var moving in c.GetProperty("moving").EnumerateObject())
            Fixture.Close(moving.Name, [.. moving.Value.EnumerateArray().Select(v => v.GetSingle())], weights[moving.Name].Value);
        // The training forward pass again (batch statistics; it moves the statistics checked above once more).
        Fixture.Close("y", c.Floats("y"), model.Forward(x, training: true).Span);
    }

    private static float[] Scaled(ReadOnlySpan<float> values, float factor)
    {
        var result = values.ToArray();
        for (int i = 0; i < result.Length; i++) result[i] *= factor;
        return result;
    }
}
