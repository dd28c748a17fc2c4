using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>
/// Conv2D as ONNX Conv on NCHW: the kernel goes from Strata's [kh, kw, in, out] to ONNX's [out, in, kh, kw],
/// and "same" padding becomes explicit pads placed as TensorFlow places them.
/// </summary>
internal static class Conv2DExport
{
    public static void Export(ExportContext context, Conv2D layer)
    {
        var b = context.Builder;
        string x = context.InChannelsFirst(layer.Name);
        var (k, s, d) = (layer.KernelSize, layer.Strides, layer.DilationRate);
        int kh = k.Height, kw = k.Width, inputs = layer.InputShape[2], filters = layer.Filters;

        // W_onnx[o, i, y, x] = W_strata[y, x, i, o], both with kernel height kh and width kw
        var kernel = layer.Kernel.Value;
        var permuted = new float[kernel.Length];
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int i = 0; i < inputs; i++)
                    for (int o = 0; o < filters; o++)
                        permuted[((o * inputs + i) * kh + ky) * kw + kx] = kernel[((ky * kw + kx) * inputs + i) * filters + o];
        string w = b.AddFloats($"{layer.Name}/kernel", permuted, filters, inputs, kh, kw);

        var inputNames = new List<string> { x, w };
        if (layer.Bias is { } bias) inputNames.Add(b.AddFloats($"{layer.Name}/bias", bias.Value, filters));

        // Padding, strides and dilations per axis; ONNX lists spatial attributes in NCHW order, height first.
        var (top, bottom) = TensorFlowPadding.Along(layer.InputShape[0], kh, s.Height, d.Height, layer.Padding);
        var (left, right) = TensorFlowPadding.Along(layer.InputShape[1], kw, s.Width, d.Width, layer.Padding);
        string y = b.AddNode("Conv", layer.Name, inputNames,
            Ints("kernel_shape", kh, kw),
            Ints("strides", s.Height, s.Width),
            Ints("dilations", d.Height, d.Width),
            Ints("pads", top, left, bottom, right), // ONNX order: every axis's start, then every axis's end
            Int("group", 1));
        context.Set(y, ValueLayout.ChannelsFirst, layer.OutputShape);
        context.Replace(ActivationExport.Apply(context, layer.Activation, layer, $"{layer.Name}/{layer.Activation.Name}"));
    }
}
