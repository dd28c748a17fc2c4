using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>The merge layers: Add and Multiply (element-wise), Concatenate (along an axis).</summary>
internal static class MergeExport
{
    /// <summary>
    /// Merges the values of the call's inputs. When every input has one layout (all NCHW after convolutions, say) the
    /// merge runs in it, so a residual block adds in NCHW with no transposes; otherwise each input is first put in
    /// Strata's layout.
    /// </summary>
    public static void Export(ExportContext context, Merge layer, ExportedValue[] inputs)
    {
        var first = inputs[0];
        bool oneLayout = inputs.All(v => v.Layout == first.Layout && v.ImageShape == first.ImageShape);
        switch (layer)
        {
            case Concatenate concatenate:
            {
                // In NCHW, Strata's channel axis (the last of an image) is axis 1; any other axis is joined in Strata's layout.
                int rank = layer.OutputShape.Rank + 1;
                int axis = concatenate.Axis < 0 ? concatenate.Axis + rank : concatenate.Axis;
                bool channelsFirst = oneLayout && first.Layout == ValueLayout.ChannelsFirst && axis == rank - 1;
                string[] names = channelsFirst ? [.. inputs.Select(v => v.Name)] : InStrataLayout(context, layer, inputs);
                string y = context.Builder.AddNode("Concat", layer.Name, names, Int("axis", channelsFirst ? 1 : axis));
                context.Set(y, channelsFirst ? ValueLayout.ChannelsFirst : ValueLayout.Strata, layer.OutputShape);
                break;
            }
            default:
            {
                string op = layer is Add ? "Add" : layer is Multiply ? "Mul"
                    : throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) has no ONNX export.");
                string[] names = oneLayout ? [.. inputs.Select(v => v.Name)] : InStrataLayout(context, layer, inputs);
                // ONNX's Add and Mul take two inputs: a chain, left to right as Strata sums.
                string y = names[0];
                for (int i = 1; i < names.Length; i++) y = context.Builder.AddNode(op, layer.Name, [y, names[i]]);
                if (names.Length == 1) y = context.Builder.AddNode("Identity", layer.Name, [y]);
                var layout = oneLayout ? first.Layout : ValueLayout.Strata;
                context.Set(y, layout, layer.OutputShape, layout == ValueLayout.Strata ? default : first.ImageShape);
                break;
            }
        }
    }

    private static string[] InStrataLayout(ExportContext context, Merge layer, ExportedValue[] inputs) =>
    [
        .. inputs.Select((v, i) =>
        {
            context.Restore(v);
            return context.InStrataLayout($"{layer.Name}/input_{i}");
        }),
    ];
}
