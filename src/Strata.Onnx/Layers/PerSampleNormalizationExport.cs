using Strata.Layers;
using static Strata.Onnx.OnnxGraphBuilder;

namespace Strata.Onnx.Layers;

/// <summary>
/// LayerNormalization and GroupNormalization as ONNX's InstanceNormalization, which normalizes each (n, c) of
/// [N, C, …] over the remaining axes: the sample's R rows of G groups (R = 1 for GroupNormalization, G = 1 for
/// LayerNormalization) become its C = R·G channels, each holding its group's S positions × groupSize channels, so
/// InstanceNormalization (with scale 1, bias 0 and the layer's ε) computes exactly the layer's statistics; then the
/// result is shaped back and y = x̂·γ + β broadcasts γ and β over the trailing axes. A group spread over several
/// positions and groups (GroupNormalization of an image) is gathered first by a Transpose of [N, S, G, groupSize] to
/// [N, G, S, groupSize]. Every operator here has kept its meaning from opset 13 to 21 (opset 17's
/// LayerNormalization and opset 18's GroupNormalization would not serve all of them; opset 18's GroupNormalization
/// even scales per group, not per channel).
/// </summary>
internal static class PerSampleNormalizationExport
{
    public static void Export(ExportContext context, PerSampleNormalization layer)
    {
        var b = context.Builder;
        string x = context.InStrataLayout(layer.Name);
        var (rows, positions, groups, groupSize) = layer.SampleLayout;
        int channels = rows * groups;
        long[] sampleShape = [0, .. layer.InputShape.Dims.ToArray().Select(d => (long)d)]; // 0 keeps the batch size
        bool gather = positions > 1 && groups > 1;

        // [N, R·G, S·groupSize]: one InstanceNormalization channel per normalized group.
        string grouped = gather
            ? b.AddNode("Transpose", $"{layer.Name}/gather_groups",
                [b.AddNode("Reshape", $"{layer.Name}/split_groups", [x, b.AddInt64s($"{layer.Name}/split_shape", 0, rows, positions, groups, groupSize)])],
                Ints("perm", 0, 1, 3, 2, 4))
            : x;
        string instances = b.AddNode("Reshape", $"{layer.Name}/to_instances",
            [grouped, b.AddInt64s($"{layer.Name}/instance_shape", 0, channels, (long)positions * groupSize)]);
        string normalized = b.AddNode("InstanceNormalization", $"{layer.Name}/normalize",
            [instances, b.AddFloats($"{layer.Name}/ones", BatchNormalizationExport.Filled(channels, 1f), channels), b.AddFloats($"{layer.Name}/zeros", BatchNormalizationExport.Filled(channels, 0f), channels)],
            Float("epsilon", layer.Epsilon));
        string y = gather
            ? b.AddNode("Transpose", $"{layer.Name}/scatter_groups",
                [b.AddNode("Reshape", $"{layer.Name}/regroup", [normalized, b.AddInt64s($"{layer.Name}/group_shape", 0, rows, groups, positions, groupSize)])],
                Ints("perm", 0, 1, 3, 2, 4))
            : normalized;
        y = b.AddNode("Reshape", layer.Gamma is null && layer.Beta is null ? layer.Name : $"{layer.Name}/to_input_shape",
            [y, b.AddInt64s($"{layer.Name}/input_shape", sampleShape)]);

        // γ and β have the shape of the trailing axes they scale, so broadcasting lines them up.
        if (layer.Gamma is { } gamma)
            y = b.AddNode("Mul", layer.Beta is null ? layer.Name : $"{layer.Name}/scale", [y, Parameter(b, layer.Name, gamma)]);
        if (layer.Beta is { } beta)
            y = b.AddNode("Add", layer.Name, [y, Parameter(b, layer.Name, beta)]);
        context.Replace(y);
    }

    private static string Parameter(OnnxGraphBuilder b, string layerName, Weight weight) =>
        b.AddFloats($"{layerName}/{weight.Name.Split('/')[^1]}", weight.Value, [.. weight.Shape.Dims.ToArray().Select(d => (long)d)]);
}
