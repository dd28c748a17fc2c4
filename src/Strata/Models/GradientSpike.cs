namespace Strata;

/// <summary>One layer's gradient norm at one step far above that layer's recent median (<see cref="GradientDiagnosis"/>).</summary>
/// <param name="Step">The training step, from 1.</param>
/// <param name="Layer">The layer's name.</param>
/// <param name="Norm">Its gradient norm at that step, before clipping (∞ or NaN: not finite).</param>
/// <param name="Median">The median of its norms over the steps just before.</param>
public sealed record GradientSpike(int Step, string Layer, double Norm, double Median)
{
    /// <summary>Norm/Median; ∞ for a norm that is not finite.</summary>
    public double Ratio => double.IsFinite(Norm) ? Norm / Median : double.PositiveInfinity;
}
