using Strata.Layers;

namespace Strata.Onnx.Layers;

/// <summary>
/// ZeroPadding2D as ONNX Pad (mode "constant", value 0) on NCHW, where the convolution or pooling after it runs. The
/// image is viewed as [N·C, H, W] for the Pad, pads [0, top, left, 0, bottom, right] (every axis's start, then every
/// axis's end), and reshaped back to [N, C, H', W']. The views keep ONNX Runtime from fusing the Pad into a following
/// MaxPool, which its PadFusion does for a 4-D Pad although MaxPool's own pads never win the maximum (they act as −∞,
/// not 0): fused, a window whose values are all negative would give their maximum instead of the padded 0.
/// </summary>
internal static class ZeroPadding2DExport
{
    public static void Export(ExportContext context, ZeroPadding2D layer)
    {
        var b = context.Builder;
        string x = context.InChannelsFirst(layer.Name);
        var (h, w, c) = (layer.InputShape[0], layer.InputShape[1], layer.InputShape[2]);
        string planes = b.AddNode("Reshape", $"{layer.Name}/planes", [x, b.AddInt64s($"{layer.Name}/planes_shape", -1, h, w)]);
        string pads = b.AddInt64s($"{layer.Name}/pads", 0, layer.Top, layer.Left, 0, layer.Bottom, layer.Right);
        string padded = b.AddNode("Pad", layer.Name, [planes, pads], OnnxGraphBuilder.String("mode", "constant"));
        var output = layer.OutputShape;
        string y = b.AddNode("Reshape", $"{layer.Name}/images", [padded, b.AddInt64s($"{layer.Name}/images_shape", -1, c, output[0], output[1])]);
        context.Set(y, ValueLayout.ChannelsFirst, output);
    }
}
