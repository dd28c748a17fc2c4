using Strata.Layers;

namespace Strata.Tests.GradientCheck;

/// <summary>
/// Finite-difference check of a layer's Backward. The scalar loss is a random projection L = Σᵢ rᵢ·yᵢ
/// (never Σy: BatchNormalization's true input gradient for that loss is zero), accumulated in double.
/// Each input and trainable weight element is compared with its central difference (<see cref="FiniteDifferences"/>).
/// </summary>
internal static class GradientChecker
{
    public static void Check(Layer layer, Tensor x, double tolerance = 5e-3, float h = 1e-2f, int seed = 7)
    {
        var y = layer.Forward(x, training: true);
        var random = new Random(seed);
        var r = new Tensor(y.Shape);
        for (int i = 0; i < r.Length; i++) r[i] = (float)Initializers.NextGaussian(random);

        foreach (var w in layer.TrainableWeights) w.Gradient.Clear();
        layer.Forward(x, training: true);
        var dx = layer.Backward(r.Clone()).Clone();
        var weightGrads = layer.TrainableWeights.Select(w => w.Gradient.ToArray()).ToArray();

        double Loss()
        {
            var out1 = layer.Forward(x, training: true);
            double sum = 0;
            for (int i = 0; i < out1.Length; i++) sum += (double)r[i] * out1[i];
            return sum;
        }

        var differences = new FiniteDifferences(Loss, tolerance, h, layer.Name);

        // x's storage may be longer than its shape; perturb only the live span.
        for (int i = 0; i < x.Length; i++) differences.Check(x.Span, i, dx[i], "x");
        int k = 0;
        foreach (var w in layer.TrainableWeights)
        {
            var grad = weightGrads[k++];
            for (int i = 0; i < w.Size; i++) differences.Check(w.Value, i, grad[i], w.Name);
        }
        differences.AssertFewKinks();
    }

    /// <summary>A tensor of normal values, seeded.</summary>
    public static Tensor Random(Shape shape, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = scale * (float)Initializers.NextGaussian(random);
        return t;
    }
}
