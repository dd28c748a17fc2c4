using Strata.Experiments.Reporting;

namespace Strata.Experiments;

/// <summary>One run's outcome: its evaluations, every step's gradient norm before clipping, and whether it succeeded.</summary>
public sealed record ClippingRun(ClippingRunSpec Spec, IReadOnlyList<SequenceEvaluation> Evaluations, double[] GradientNorms,
    int NonFiniteSteps, double Seconds, float ExplosionNorm)
{
    /// <summary>The first evaluation with fewer than 1% of the fresh sequences wrong, or null.</summary>
    public int? StepsToSuccess => Evaluations.FirstOrDefault(e => SequenceTask.Succeeded(e.ErrorRate))?.Step;

    public bool Succeeded => StepsToSuccess is not null;

    public double FinalErrorRate => Evaluations[^1].ErrorRate;

    /// <summary>
    /// The fraction of steps whose global gradient norm before clipping exceeded the explosion threshold, or was not
    /// finite: the steps that unclipped SGD would have taken as a jump of more than learning rate × threshold.
    /// </summary>
    public double ExplodedFraction => GradientNorms.Length == 0 ? 0 : GradientNorms.Count(n => !(n <= ExplosionNorm)) / (double)GradientNorms.Length;

    public double MaxNorm => GradientNorms.Length == 0 ? 0 : GradientNorms.Max(n => double.IsFinite(n) ? n : double.PositiveInfinity);

    public double MedianNorm => Percentiles.Of(GradientNorms.Where(double.IsFinite), 50);
}
