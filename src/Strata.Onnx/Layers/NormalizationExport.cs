using Strata.Layers;

namespace Strata.Onnx.Layers;

/// <summary>
/// Normalization as y = x·scale + shift with Predict's own scale and shift (scale = 1/max(√σ², ε), shift = −μ·scale;
/// inverted, scale = max(√σ², ε), shift = μ), computed in double, broadcast over the kept axis or as one scalar.
/// </summary>
internal static class NormalizationExport
{
    public static void Export(ExportContext context, Normalization layer)
    {
        int c = layer.Mean.Size;
        var scale = new float[c];
        var shift = new float[c];
        for (int f = 0; f < c; f++)
        {
            double std = Math.Max(Math.Sqrt(layer.Variance.Value[f]), Normalization.Epsilon), mean = layer.Mean.Value[f];
            (scale[f], shift[f]) = layer.Invert ? ((float)std, (float)mean) : ((float)(1 / std), (float)(-mean / std));
        }
        var input = layer.InputShape;
        if (layer.Axis is int axis)
        {
            int a = (axis < 0 ? axis + input.Rank + 1 : axis) - 1; // per-sample index
            AffineExport.Export(context, layer.Name, input, a, a, scale, shift);
        }
        else
        {
            // One scalar: a [1] constant broadcasts over everything.
            AffineExport.Export(context, layer.Name, new Shape(1), 0, 0, scale, shift);
        }
    }
}
