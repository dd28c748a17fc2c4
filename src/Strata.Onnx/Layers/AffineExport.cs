namespace Strata.Onnx.Layers;

/// <summary>
/// y = x·scale + shift with one scale and shift per index of the feature axes <c>first..last</c> (per-sample indices),
/// in Strata's layout: the form BatchNormalization at inference and Normalization both take.
/// </summary>
internal static class AffineExport
{
    public static void Export(ExportContext context, string layerName, Shape inputShape, int first, int last,
        float[] scale, float[] shift)
    {
        context.InStrataLayout(layerName);
        var b = context.Builder;
        // Shape [feature dims…, 1 for every axis after them]: broadcasting aligns trailing axes, so the feature
        // dims line up with their own axes and the batch and any axes before them are repeated.
        var dims = new List<long>();
        for (int i = first; i <= last; i++) dims.Add(inputShape[i]);
        for (int i = last + 1; i < inputShape.Rank; i++) dims.Add(1);
        long[] shape = [.. dims];
        string scaleName = b.AddFloats($"{layerName}/scale", scale, shape);
        string shiftName = b.AddFloats($"{layerName}/shift", shift, shape);
        string scaled = b.AddNode("Mul", $"{layerName}/mul", [context.Current, scaleName]);
        context.Replace(b.AddNode("Add", layerName, [scaled, shiftName]));
    }
}
