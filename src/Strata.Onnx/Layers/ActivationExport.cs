using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>
/// Strata's activations as ONNX operators. Every constant is written explicitly, since ONNX's defaults differ
/// from Keras's (LeakyRelu's α is 0.01 in ONNX but 0.2 in Keras; Selu's constants are rounded differently).
/// </summary>
internal static class ActivationExport
{
    /// <summary>The Activation layer: φ applied to the current value (Identity for linear).</summary>
    public static void Export(ExportContext context, Activation layer)
    {
        string output = Apply(context, layer.Function, layer, nodeHint: layer.Name);
        if (output == context.Current)
            output = context.Builder.AddNode("Identity", layer.Name, [context.Current]);
        context.Replace(output);
    }

    /// <summary>
    /// Appends φ(current) and returns the new value's name; linear returns the current value unchanged.
    /// Element-wise functions work in any layout; softmax acts on Strata's last axis, which is axis 1 in
    /// NCHW and, on a flattened value, the whole (permuted) feature axis, so it never needs a conversion.
    /// </summary>
    public static string Apply(ExportContext context, ActivationFunction function, Layer owner, string nodeHint)
    {
        var b = context.Builder;
        string x = context.Current;
        return function switch
        {
            LinearActivation => x,
            // Relu is max(x, 0), LeakyRelu is x for x ≥ 0 and αx below: the same function as Strata's.
            LeakyReluActivation { Name: "relu", Alpha: 0f } => b.AddNode("Relu", nodeHint, [x]),
            LeakyReluActivation leaky => b.AddNode("LeakyRelu", nodeHint, [x], Float("alpha", leaky.Alpha)),
            // Elu: x for x > 0, α(eˣ − 1) below. Selu: γx for x > 0, γα(eˣ − 1) below; Strata's elu with a scale λ is Selu with γ = λ.
            EluActivation { Scale: 1f } elu => b.AddNode("Elu", nodeHint, [x], Float("alpha", elu.Alpha)),
            EluActivation selu => b.AddNode("Selu", nodeHint, [x], Float("alpha", selu.Alpha), Float("gamma", selu.Scale)),
            SigmoidActivation => b.AddNode("Sigmoid", nodeHint, [x]),
            TanhActivation => b.AddNode("Tanh", nodeHint, [x]),
            // Softmax-13 normalizes along one axis (before opset 13 it flattened everything from the axis on).
            SoftmaxActivation => b.AddNode("Softmax", nodeHint, [x],
                Int("axis", context.Layout == ValueLayout.ChannelsFirst ? 1 : -1)),
            _ => throw new NotSupportedException(
                $"Layer '{owner.Name}' ({owner.TypeName}) uses the activation '{function.Name}' ({function.GetType().Name}), " +
                "which has no ONNX export; the exporter knows linear, relu, leaky_relu, elu, selu, sigmoid, tanh and softmax."),
        };
    }
}
