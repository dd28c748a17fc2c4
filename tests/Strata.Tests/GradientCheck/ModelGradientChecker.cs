using Strata.Optimizers;

namespace Strata.Tests.GradientCheck;

/// <summary>
/// Finite-difference check of a whole model's backward pass, through every call of its graph (merges, fan-out, shared
/// layers). The model is compiled with a random projection loss, L = Σ_outputs (1/n)·Σᵢ rᵢ·yᵢ (one r per output),
/// whose analytic gradients come from <see cref="Model.ComputeGradients(Tensor[], Tensor[])"/> with the inputs' gradients
/// switched on; the numeric side recomputes L in double from training-mode forward passes. Every element of every input
/// and of every trainable weight (a shared weight once) is compared (<see cref="FiniteDifferences"/>).
/// </summary>
internal static class ModelGradientChecker
{
    public static void Check(Model model, Tensor[] x, double tolerance = 5e-3, float h = 1e-2f, int seed = 7)
    {
        var outputs = model.Forward(x, training: true);
        var r = outputs.Select((o, j) => GradientChecker.Random(o.Shape, seed + j)).ToArray();
        model.Compile(new Sgd(), new ProjectionLoss());
        model.ComputesInputGradients = true;
        var gradients = model.ComputeGradients(x, r);
        var weights = gradients.Weights.ToArray();
        var weightGrads = Enumerable.Range(0, gradients.Count).Select(k => gradients[k].ToArray()).ToArray();
        var inputGrads = x.Select((t, i) => model.InputGradient(i)?.Span.ToArray() ?? new float[t.Length]).ToArray();
        int n = x[0].Shape[0];

        double Loss()
        {
            var ys = model.Forward(x, training: true);
            double sum = 0;
            for (int j = 0; j < ys.Count; j++)
                for (int i = 0; i < ys[j].Length; i++) sum += (double)r[j][i] * ys[j][i];
            return sum / n;
        }

        var differences = new FiniteDifferences(Loss, tolerance, h, model.Name);
        for (int i = 0; i < x.Length; i++)
            for (int e = 0; e < x[i].Length; e++) differences.Check(x[i].Span, e, inputGrads[i][e], $"x{i}");
        for (int k = 0; k < weights.Length; k++)
            for (int e = 0; e < weights[k].Size; e++) differences.Check(weights[k].Value, e, weightGrads[k][e], weights[k].Name);
        differences.AssertFewKinks();
    }

    /// <summary>L = (1/n)·Σ targets·predictions: the targets are the projection, dL/dpredictions = targets / n.</summary>
    private sealed class ProjectionLoss : Loss
    {
        public override string Name => "projection";

        protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        {
            double sum = 0;
            for (int i = 0; i < predictions.Length; i++) sum += (double)targets[i] * predictions[i];
            if (!dPredictions.IsEmpty)
                for (int i = 0; i < dPredictions.Length; i++) dPredictions[i] = targets[i] / n;
            return sum;
        }
    }
}
