using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>The layers that only move values, or do nothing at inference: Flatten, Reshape, Dropout, RandomTranslation.</summary>
internal static class ShapeExport
{
    /// <summary>
    /// Flatten(axis = 1). On an NCHW image this orders features (c, h, w), not Strata's (h, w, c); the value is
    /// marked as such and whatever reads it next either permutes its weights (Dense) or converts it back.
    /// </summary>
    public static void Export(ExportContext context, Flatten layer)
    {
        var layout = context.Layout;
        var image = layout switch
        {
            ValueLayout.ChannelsFirst => context.StrataShape,
            ValueLayout.FlattenedChannelsFirst => context.ImageShape,
            _ => default,
        };
        string y = context.Builder.AddNode("Flatten", layer.Name, [context.Current], Int("axis", 1));
        context.Set(y, layout == ValueLayout.Strata ? ValueLayout.Strata : ValueLayout.FlattenedChannelsFirst, layer.OutputShape, image);
    }

    /// <summary>Reshape to [batch, target…] in Strata's order; 0 in ONNX's shape copies the batch size from the input.</summary>
    public static void Export(ExportContext context, Reshape layer)
    {
        string x = context.InStrataLayout(layer.Name);
        long[] shape = [0, .. layer.OutputShape.Dims.ToArray().Select(d => (long)d)];
        string shapeName = context.Builder.AddInt64s($"{layer.Name}/shape", shape);
        string y = context.Builder.AddNode("Reshape", layer.Name, [x, shapeName]);
        context.Set(y, ValueLayout.Strata, layer.OutputShape);
    }

    /// <summary>
    /// Dropout and augmentation (RandomTranslation) are the identity at inference; an Identity node keeps the layer
    /// visible in the graph.
    /// </summary>
    public static void Export(ExportContext context, RandomLayer layer) =>
        context.Replace(context.Builder.AddNode("Identity", layer.Name, [context.Current]));
}
