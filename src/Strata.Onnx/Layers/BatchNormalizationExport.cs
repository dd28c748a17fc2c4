using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>
/// BatchNormalization at inference, y = γ(x − μ)/√(σ² + ε) + β with the moving statistics.
/// ONNX's BatchNormalization normalizes axis 1, so it serves when the layer's feature axis is the channel axis
/// of a batch of vectors [N, C] or of an image held as NCHW. Any other axis (or several axes, or an image still
/// in Strata's NHWC) becomes y = x·a + b with a = γ/√(σ² + ε) and b = β − μ·a precomputed in double and shaped
/// to broadcast over the trailing axes.
/// </summary>
internal static class BatchNormalizationExport
{
    public static void Export(ExportContext context, BatchNormalization layer)
    {
        var (first, last) = FeatureAxes(layer);
        int perSampleRank = layer.InputShape.Rank;
        bool channelsLast = first == last && last == perSampleRank - 1;
        bool onnxBatchNorm = channelsLast &&
            ((perSampleRank == 1 && context.Layout != ValueLayout.ChannelsFirst) || (perSampleRank == 3 && context.Layout == ValueLayout.ChannelsFirst));
        if (onnxBatchNorm)
        {
            ExportAsBatchNormalization(context, layer);
            return;
        }
        context.InStrataLayout(layer.Name);
        ExportAsAffine(context, layer, first, last);
    }

    /// <summary>The per-sample indices of the first and last feature axes (the batch axis is not counted).</summary>
    internal static (int First, int Last) FeatureAxes(BatchNormalization layer)
    {
        int rank = layer.InputShape.Rank + 1;
        var axes = layer.Axis.Select(a => a < 0 ? a + rank : a).Order().ToArray();
        return (axes[0] - 1, axes[^1] - 1);
    }

    private static void ExportAsBatchNormalization(ExportContext context, BatchNormalization layer)
    {
        // A flattened NCHW value has its features permuted; Strata's order keeps the parameters as they are.
        if (context.Layout == ValueLayout.FlattenedChannelsFirst) context.InStrataLayout(layer.Name);
        var b = context.Builder;
        int c = layer.MovingMean.Size;
        string gamma = b.AddFloats($"{layer.Name}/gamma", layer.Gamma is { } g ? g.Value : Filled(c, 1f), c);
        string beta = b.AddFloats($"{layer.Name}/beta", layer.Beta is { } be ? be.Value : Filled(c, 0f), c);
        string mean = b.AddFloats($"{layer.Name}/moving_mean", layer.MovingMean.Value, c);
        string variance = b.AddFloats($"{layer.Name}/moving_variance", layer.MovingVariance.Value, c);
        // ε must be written: ONNX's default is 1e-5, Keras's (and Strata's) 1e-3. Inference mode is the default (training_mode = 0).
        string y = b.AddNode("BatchNormalization", layer.Name, [context.Current, gamma, beta, mean, variance],
            Float("epsilon", layer.Epsilon));
        context.Replace(y);
    }

    private static void ExportAsAffine(ExportContext context, BatchNormalization layer, int first, int last)
    {
        int c = layer.MovingMean.Size;
        var scale = new float[c];
        var shift = new float[c];
        for (int f = 0; f < c; f++)
        {
            double gamma = layer.Gamma?.Value[f] ?? 1, beta = layer.Beta?.Value[f] ?? 0;
            double a = gamma / Math.Sqrt(layer.MovingVariance.Value[f] + (double)layer.Epsilon);
            scale[f] = (float)a;
            shift[f] = (float)(beta - a * layer.MovingMean.Value[f]);
        }
        AffineExport.Export(context, layer.Name, layer.InputShape, first, last, scale, shift);
    }

    internal static float[] Filled(int length, float value)
    {
        var values = new float[length];
        Array.Fill(values, value);
        return values;
    }
}
