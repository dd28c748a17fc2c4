using Strata.Layers;

namespace Strata.Tests.GradientCheck;

/// <summary>
/// Finite-difference check of a layer's Backward. The scalar loss is a random projection L = Σᵢ rᵢ·yᵢ
/// (never Σy: BatchNormalization's true input gradient for that loss is zero), accumulated in double.
/// Each input and trainable weight element is perturbed by ±h (central difference) and the numeric slope
/// is compared with the analytic gradient: |a − n| ≤ tol·max(|a|, |n|, 1). An element where a step of h
/// and a step of h/2 disagree sits on a kink (ReLU at 0, a max-pool tie) and is skipped; at most 5% may be.
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

        int skipped = 0, checkedCount = 0;
        void CheckElement(Span<float> values, int i, float analytic, string what)
        {
            float original = values[i];
            // Slopes with steps h and h/2: their disagreement reveals a kink.
            Span<double> slopes = stackalloc double[2];
            for (int s = 0; s < 2; s++)
            {
                float step = s == 0 ? h : h / 2;
                values[i] = original + step;
                double plus = Loss();
                values[i] = original - step;
                double minus = Loss();
                values[i] = original;
                slopes[s] = (plus - minus) / (2.0 * step);
            }
            double numeric = slopes[0], half = slopes[1];
            checkedCount++;
            if (Math.Abs(numeric - half) > tolerance * Math.Max(1, Math.Abs(numeric)))
            {
                skipped++;
                return;
            }
            double scale = Math.Max(1.0, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
            Assert.True(Math.Abs(analytic - numeric) <= tolerance * scale,
                $"{layer.Name}: d{what}[{i}] analytic {analytic} vs numeric {numeric}");
        }

        // x's storage may be longer than its shape; perturb only the live span.
        for (int i = 0; i < x.Length; i++) CheckElement(x.Span, i, dx[i], "x");
        int k = 0;
        foreach (var w in layer.TrainableWeights)
        {
            var grad = weightGrads[k++];
            for (int i = 0; i < w.Size; i++) CheckElement(w.Value, i, grad[i], w.Name);
        }
        Assert.True(skipped <= checkedCount / 20 + 1, $"{layer.Name}: {skipped} of {checkedCount} elements sat on kinks");
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
