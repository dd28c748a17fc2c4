using Strata.Layers;
using static Strata.Onnx.Tests.OnnxParity;

namespace Strata.Onnx.Tests.Layers;

public class PoolingExportTests
{
    public static TheoryData<int, int, int, int?, string> Geometries => new()
    {
        { 6, 6, 2, null, "valid" },
        { 7, 5, 2, null, "valid" },  // odd sizes: the last row and column are dropped
        { 7, 5, 2, null, "same" },   // odd sizes: a padded row and column at the end
        { 7, 9, 3, 2, "same" },
        { 8, 8, 3, 2, "same" },
        { 8, 7, 3, 2, "valid" },
        { 5, 5, 3, 1, "same" },
        { 9, 4, 2, 3, "same" },     // stride above the window
        { 9, 4, 1, 2, "valid" },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxPooling2D_matches(int height, int width, int pool, int? strides, string padding)
    {
        var model = Built([height, width, 3], new MaxPooling2D(pool, strides, padding));
        AssertMatches(model, Random(new Shape(2, height, width, 3), seed: 1));
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AveragePooling2D_matches(int height, int width, int pool, int? strides, string padding)
    {
        var model = Built([height, width, 3], new AveragePooling2D(pool, strides, padding));
        AssertMatches(model, Random(new Shape(2, height, width, 3), seed: 2));
    }

    // Rectangular windows and strides: (h, w, pool h, pool w, stride h, stride w, padding); stride 0 means the window.
    public static TheoryData<int, int, int, int, int, int, string> RectangularGeometries => new()
    {
        { 6, 7, 2, 3, 0, 0, "valid" },
        { 7, 7, 2, 3, 0, 0, "same" },
        { 7, 8, 2, 3, 1, 2, "valid" },
        { 7, 8, 2, 3, 1, 2, "same" },
        { 8, 5, 3, 1, 2, 1, "same" },
        { 5, 9, 1, 2, 3, 2, "same" },
    };

    [Theory]
    [MemberData(nameof(RectangularGeometries))]
    public void Rectangular_pooling_matches(int height, int width, int ph, int pw, int sh, int sw, string padding)
    {
        Size2D? strides = sh == 0 ? null : (sh, sw);
        AssertMatches(Built([height, width, 3], new MaxPooling2D((ph, pw), strides, padding)), Random(new Shape(2, height, width, 3), seed: 1));
        AssertMatches(Built([height, width, 3], new AveragePooling2D((ph, pw), strides, padding)), Random(new Shape(2, height, width, 3), seed: 2));
    }

    [Fact]
    public void Max_pooling_of_negative_values_with_padding_ignores_the_padding()
    {
        // Every value negative: a padded zero counted as a candidate would show up as a 0 in the output.
        var model = Built([5, 5, 2], new MaxPooling2D(2, padding: "same"));
        var x = Random(new Shape(1, 5, 5, 2), seed: 3);
        for (int i = 0; i < x.Length; i++) x[i] = -1 - Math.Abs(x[i]);
        AssertMatches(model, x);
    }

    [Theory]
    [InlineData(1, 1, 4)]
    [InlineData(5, 3, 2)]
    [InlineData(4, 4, 7)]
    public void GlobalAveragePooling2D_matches(int height, int width, int channels)
    {
        var model = Built([height, width, channels], new GlobalAveragePooling2D());
        AssertMatches(model, Random(new Shape(3, height, width, channels), seed: 4));
    }

    [Fact]
    public void Convolution_pooling_and_global_pooling_chain_matches()
    {
        var model = Built([9, 7, 2],
            new Conv2D(4, 3, padding: "same", activation: Activations.Relu),
            new MaxPooling2D(2, padding: "same"),
            new Conv2D(5, 2, strides: 2),
            new AveragePooling2D(2, strides: 1, padding: "same"),
            new GlobalAveragePooling2D(),
            new Dense(3, activation: Activations.Softmax));
        Randomize(model, 5);
        AssertMatches(model, Random(new Shape(4, 9, 7, 2), seed: 6));
    }
}
