using System.Text.Json;
using Strata.Layers;

namespace Strata.Parity.Tests;

/// <summary>
/// SimpleRnn, Lstm and Gru against PyTorch's nn.RNN (tanh), nn.LSTM and nn.GRU (tools/fixtures/rnn.py): weights
/// converted to Keras's layout and gate order, summed biases for the single-bias layers, the GRU's two biases as
/// [2, 3·units]. Output, dX and every weight gradient within 1e-4 relative, returning the last step or the sequence.
/// </summary>
public class RecurrentParityTests
{
    private static readonly JsonElement Data = Fixture.Load("rnn.json");

    public static TheoryData<int, bool> Cases()
    {
        var data = new TheoryData<int, bool>();
        for (int i = 0; i < Data.GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i, false);
            data.Add(i, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int index, bool returnSequences)
    {
        var c = Data.GetProperty("cases")[index];
        string kind = c.GetProperty("kind").GetString()!;
        int batch = c.GetProperty("batch").GetInt32(), time = c.GetProperty("time").GetInt32();
        int features = c.GetProperty("features").GetInt32(), units = c.GetProperty("units").GetInt32();
        Recurrent layer = kind switch
        {
            "rnn" => new SimpleRnn(units, returnSequences: returnSequences),
            "lstm" => new Lstm(units, returnSequences: returnSequences),
            "gru" => new Gru(units, returnSequences: returnSequences),
            _ => throw new InvalidOperationException(kind),
        };
        var outShape = layer.Build(new Shape(time, features), new Random(1));
        c.Floats("kernel").CopyTo(layer.Kernel.Value);
        c.Floats("recurrent_kernel").CopyTo(layer.RecurrentKernel.Value);
        c.Floats("bias").CopyTo(layer.Bias!.Value);

        var e = c.GetProperty(returnSequences ? "sequences" : "last");
        string what = $"{kind} {batch}x{time}x{features}→{units} {(returnSequences ? "sequences" : "last")}";
        var y = layer.Forward(new Tensor(new Shape(batch, time, features), c.Floats("x")), training: true);
        Fixture.Close($"{what} y", e.Floats("y"), y.Span);
        var dx = layer.Backward(new Tensor(outShape.WithBatch(batch), e.Floats("dy")));
        Fixture.Close($"{what} dx", e.Floats("dx"), dx.Span);
        Fixture.Close($"{what} dkernel", e.Floats("dkernel"), layer.Kernel.Gradient);
        Fixture.Close($"{what} drecurrent_kernel", e.Floats("drecurrent_kernel"), layer.RecurrentKernel.Gradient);
        Fixture.Close($"{what} dbias", e.Floats("dbias"), layer.Bias.Gradient);
    }
}
