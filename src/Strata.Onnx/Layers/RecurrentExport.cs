using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>
/// SimpleRnn, Lstm and Gru as ONNX's RNN, LSTM and GRU operators (forward direction, zero initial state).
/// The operators read time-major X [T, N, F] (layout 0, valid from opset 7 on), so the batch-major input is
/// transposed first. Weights change layout: Strata keeps W [F, k·U] and U [U, k·U] with the k gates as column
/// blocks; ONNX wants W [1, k·U, F] and R [1, k·U, U] (the transposes) with the gates as row blocks in its own
/// order, and B [1, 2·k·U] = input bias then recurrent bias.
/// </summary>
internal static class RecurrentExport
{
    // For each ONNX gate block, the Strata (Keras) gate block it comes from.
    private static readonly int[] s_rnnGates = [0];
    private static readonly int[] s_lstmGates = [0, 3, 1, 2]; // ONNX i, o, f, c ← Keras i, f, c, o
    private static readonly int[] s_gruGates = [0, 1, 2];     // ONNX z, r, h = Keras z, r, h

    public static void Export(ExportContext context, Recurrent layer)
    {
        if (layer.LayerNormalization)
        {
            throw new NotSupportedException(
                $"Layer '{layer.Name}' ({layer.TypeName}) layer-normalizes its pre-activations (layerNormalization: true), which ONNX's " +
                "RNN, LSTM and GRU operators cannot express; such a layer has no ONNX export.");
        }
        var b = context.Builder;
        string x = context.InStrataLayout(layer.Name);
        int units = layer.Units, features = layer.InputShape[1], time = layer.InputShape[0];

        var (op, gates, activations, extra) = layer switch
        {
            // Ht = f(Xt·Wᵀ + Ht−1·Rᵀ + Wb + Rb)
            SimpleRnn rnn => ("RNN", s_rnnGates, new[] { Name(layer, rnn.Activation, allowSlope: true) }, (Proto.AttributeProto?)null),
            // activations (f, g, h): the gates' σ, the candidate's φ, and φ applied to the cell state.
            Lstm lstm => ("LSTM", s_lstmGates,
                new[] { Name(layer, lstm.RecurrentActivation), Name(layer, lstm.Activation), Name(layer, lstm.Activation) }, null),
            // Keras's reset_after applies r to (Ht−1·Rhᵀ + Rbh): ONNX's linear_before_reset = 1. Resetting before,
            // (rt ⊙ Ht−1)·Rhᵀ, is ONNX's default 0; that GRU has no recurrent bias, so Rb stays zero.
            Gru gru => ("GRU", s_gruGates, new[] { Name(layer, gru.RecurrentActivation), Name(layer, gru.Activation) },
                Int("linear_before_reset", gru.ResetAfter ? 1 : 0)),
            _ => throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) is a recurrent layer with no ONNX export."),
        };
        int k = gates.Length;

        string xTimeMajor = b.AddNode("Transpose", $"{layer.Name}/to_time_major", [x], Ints("perm", 1, 0, 2)); // [T, N, F]
        var inputs = new List<string>
        {
            xTimeMajor,
            b.AddFloats($"{layer.Name}/W", GateRows(layer.Kernel.Value, features, units, gates), 1, k * units, features),
            b.AddFloats($"{layer.Name}/R", GateRows(layer.RecurrentKernel.Value, units, units, gates), 1, k * units, units),
        };
        if (layer.Bias is { } bias)
        {
            var onnxBias = new float[2 * k * units];
            var values = bias.Value;
            PermuteBlocks(values[..(k * units)], units, gates, onnxBias.AsSpan(0, k * units));
            // Only the GRU keeps a recurrent bias b_h (the second row of its [2, 3·U] bias); the others add it to Z.
            if (values.Length == 2 * k * units) PermuteBlocks(values[(k * units)..], units, gates, onnxBias.AsSpan(k * units));
            inputs.Add(b.AddFloats($"{layer.Name}/B", onnxBias, 1, 2 * k * units));
        }

        var attributes = new List<Proto.AttributeProto> { Int("hidden_size", units), Strings("activations", activations) };
        if (extra is not null) attributes.Add(extra);
        if (activations.Contains("LeakyRelu") || activations.Contains("Elu"))
            attributes.Add(Floats("activation_alpha", Slope(((SimpleRnn)layer).Activation)));

        string y;
        if (layer.ReturnSequences)
        {
            // Y [T, 1, N, U] → [N, T, 1, U] → [N, T, U]
            string all = b.AddNode(op, layer.Name, inputs, outputIndex: 0, [.. attributes]);
            string batchMajor = b.AddNode("Transpose", $"{layer.Name}/to_batch_major", [all], Ints("perm", 2, 0, 1, 3));
            string shape = b.AddInt64s($"{layer.Name}/sequence_shape", 0, time, units);
            y = b.AddNode("Reshape", $"{layer.Name}/sequences", [batchMajor, shape]);
        }
        else
        {
            // Y_h [1, N, U] → [N, U]: Flatten(axis = 2) multiplies the dims before axis 2 (1·N) into one.
            string last = b.AddNode(op, layer.Name, inputs, outputIndex: 1, [.. attributes]);
            y = b.AddNode("Flatten", $"{layer.Name}/last_state", [last], Int("axis", 2));
        }
        context.Set(y, ValueLayout.Strata, layer.OutputShape);
    }

    /// <summary>
    /// ONNX [k·U, rows] from Strata's [rows, k·U]: ONNX row g·U + j is Strata column gates[g]·U + j, transposed.
    /// </summary>
    private static float[] GateRows(ReadOnlySpan<float> strata, int rows, int units, int[] gates)
    {
        int width = gates.Length * units;
        var onnx = new float[width * rows];
        for (int g = 0; g < gates.Length; g++)
            for (int j = 0; j < units; j++)
            {
                int column = gates[g] * units + j, row = g * units + j;
                for (int r = 0; r < rows; r++) onnx[row * rows + r] = strata[r * width + column];
            }
        return onnx;
    }

    private static void PermuteBlocks(ReadOnlySpan<float> strata, int units, int[] gates, Span<float> onnx)
    {
        for (int g = 0; g < gates.Length; g++) strata.Slice(gates[g] * units, units).CopyTo(onnx.Slice(g * units, units));
    }

    /// <summary>
    /// The ONNX name of a recurrent activation. ONNX passes LeakyRelu's and Elu's α in one list shared by all the
    /// activations, which runtimes read differently when some need a constant and some do not; so a constant is
    /// accepted only where the layer has a single activation (SimpleRnn).
    /// </summary>
    private static string Name(Layer layer, ActivationFunction function, bool allowSlope = false) => function switch
    {
        TanhActivation => "Tanh",
        SigmoidActivation => "Sigmoid",
        LeakyReluActivation { Name: "relu", Alpha: 0f } => "Relu",
        LeakyReluActivation when allowSlope => "LeakyRelu",
        EluActivation { Scale: 1f } when allowSlope => "Elu",
        _ => throw new NotSupportedException(
            $"Layer '{layer.Name}' ({layer.TypeName}) uses the activation '{function.Name}', which ONNX's recurrent operators " +
            (allowSlope ? "do not offer" : "cannot be given unambiguously inside a cell with several activations") +
            "; tanh, sigmoid and relu export" + (allowSlope ? ", and leaky_relu and elu for SimpleRnn." : "."))
    };

    private static float Slope(ActivationFunction function) => function switch
    {
        LeakyReluActivation leaky => leaky.Alpha,
        EluActivation elu => elu.Alpha,
        _ => throw new InvalidOperationException(),
    };
}
