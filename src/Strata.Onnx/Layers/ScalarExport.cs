using Strata.Layers;

namespace Strata.Onnx.Layers;

/// <summary>
/// ScalarBias and ScalarScale as ONNX Add and Mul with a one-element initializer, which broadcasts over any shape and
/// any layout (NCHW or Strata's), so the value stays where it is.
/// </summary>
internal static class ScalarExport
{
    public static void Export(ExportContext context, ScalarBias layer) =>
        context.Replace(context.Builder.AddNode("Add", layer.Name,
            [context.Current, context.Builder.AddFloats($"{layer.Name}/bias", layer.Bias.Value, 1)]));

    public static void Export(ExportContext context, ScalarScale layer) =>
        context.Replace(context.Builder.AddNode("Mul", layer.Name,
            [context.Current, context.Builder.AddFloats($"{layer.Name}/scale", layer.Scale.Value, 1)]));
}
