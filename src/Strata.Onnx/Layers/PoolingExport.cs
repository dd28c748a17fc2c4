using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D as ONNX pooling on NCHW.</summary>
internal static class PoolingExport
{
    public static void Export(ExportContext context, Pooling2D layer)
    {
        string x = context.InChannelsFirst(layer.Name);
        var (k, s) = (layer.PoolSize, layer.Strides);
        // Per axis, height first (NCHW order).
        var (top, bottom) = TensorFlowPadding.Along(layer.InputShape[0], k.Height, s.Height, 1, layer.Padding);
        var (left, right) = TensorFlowPadding.Along(layer.InputShape[1], k.Width, s.Width, 1, layer.Padding);
        var attributes = new List<Proto.AttributeProto>
        {
            Ints("kernel_shape", k.Height, k.Width),
            Ints("strides", s.Height, s.Width),
            Ints("pads", top, left, bottom, right),
        };
        string op;
        switch (layer)
        {
            case MaxPooling2D:
                op = "MaxPool"; // padded cells never win the maximum, as in Keras
                break;
            case AveragePooling2D:
                op = "AveragePool";
                // Keras divides by the cells inside the input only; ONNX's default (0) does the same. Written explicitly.
                attributes.Add(Int("count_include_pad", 0));
                break;
            default:
                throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) is a pooling layer with no ONNX export.");
        }
        string y = context.Builder.AddNode(op, layer.Name, [x], [.. attributes]);
        context.Set(y, ValueLayout.ChannelsFirst, layer.OutputShape);
    }

    /// <summary>The mean over H and W of each channel: GlobalAveragePool gives [N, C, 1, 1], Flatten makes it Strata's [N, C].</summary>
    public static void Export(ExportContext context, GlobalAveragePooling2D layer)
    {
        string x = context.InChannelsFirst(layer.Name);
        string pooled = context.Builder.AddNode("GlobalAveragePool", layer.Name, [x]);
        string y = context.Builder.AddNode("Flatten", $"{layer.Name}/flatten", [pooled], Int("axis", 1));
        context.Set(y, ValueLayout.Strata, layer.OutputShape);
    }
}
