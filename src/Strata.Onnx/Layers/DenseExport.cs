using Strata.Layers;

namespace Strata.Onnx.Layers;

/// <summary>
/// Dense, y = φ(x·W + b) with W [inputs, units]: Gemm (transB = 0, C = b) on a batch of vectors, MatMul then Add
/// on inputs of higher rank (Gemm takes only 2-D operands; MatMul broadcasts over the leading axes like Strata).
/// </summary>
internal static class DenseExport
{
    public static void Export(ExportContext context, Dense layer)
    {
        var b = context.Builder;
        int inputs = layer.Kernel.Shape[0], units = layer.Units;
        float[] kernel = layer.Kernel.Value.ToArray();
        if (context.Layout == ValueLayout.FlattenedChannelsFirst)
        {
            // The value holds the image's features in (c, h, w) order where Strata's Flatten gives (h, w, c):
            // feature (c, h, w) of the ONNX value is Strata's input row (h·W + w)·C + c, so that row of W moves to
            // position (c·H + h)·W + w. Then x_onnx·W′ = x_strata·W exactly, with no transpose at run time.
            kernel = PermuteRowsToChannelsFirst(kernel, context.ImageShape, units);
        }
        else
        {
            context.InStrataLayout(layer.Name);
        }

        string x = context.Current;
        string w = b.AddFloats($"{layer.Name}/kernel", kernel, inputs, units);
        string? bias = layer.Bias is { } biasWeight ? b.AddFloats($"{layer.Name}/bias", biasWeight.Value, units) : null;
        string z;
        if (context.StrataShape.Rank == 1)
        {
            // Gemm: Y = α·A·B + β·C with α = β = 1; C is optional from opset 11 on.
            z = b.AddNode("Gemm", layer.Name, bias is null ? [x, w] : [x, w, bias]);
        }
        else
        {
            z = b.AddNode("MatMul", bias is null ? layer.Name : $"{layer.Name}/matmul", [x, w]);
            if (bias is not null) z = b.AddNode("Add", $"{layer.Name}/bias_add", [z, bias]);
        }
        context.Set(z, ValueLayout.Strata, layer.OutputShape);
        context.Replace(ActivationExport.Apply(context, layer.Activation, layer, $"{layer.Name}/{layer.Activation.Name}"));
    }

    /// <summary>Reorders W's rows from Strata's (h, w, c) feature order to ONNX Flatten's (c, h, w) over NCHW.</summary>
    internal static float[] PermuteRowsToChannelsFirst(float[] kernel, Shape image, int units)
    {
        int height = image[0], width = image[1], channels = image[2];
        var permuted = new float[kernel.Length];
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
                for (int c = 0; c < channels; c++)
                {
                    int strataRow = (h * width + w) * channels + c;
                    int onnxRow = (c * height + h) * width + w;
                    Array.Copy(kernel, strataRow * units, permuted, onnxRow * units, units);
                }
        return permuted;
    }
}
