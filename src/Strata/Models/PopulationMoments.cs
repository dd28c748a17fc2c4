using Strata.Kernels;
using Strata.Layers;

namespace Strata;

/// <summary>
/// The exact mean and BIASED variance of a Batch Normalization layer's input over every value of each feature seen
/// (all samples, and all spatial positions after a Conv2D), pooled batch by batch in double
/// (<see cref="BatchNormChannelKernels.PoolMoments"/>): the population statistics a recalibration sets, not a running average.
/// </summary>
internal sealed class PopulationMoments(int channels)
{
    private readonly double[] _mean = new double[channels], _m2 = new double[channels];
    private readonly double[] _sum = new double[channels], _squaredDeviation = new double[channels];
    private readonly float[] _shift = new float[channels];
    private double[] _accumulator = [];

    /// <summary>Values pooled per feature so far.</summary>
    public double Count { get; private set; }

    /// <summary>Pools a batch <paramref name="x"/> the way <paramref name="layer"/> views its input.</summary>
    public void Add(BatchNormalization layer, Tensor x)
    {
        var (outer, c, inner) = layer.Layout(x.Shape[0]);
        int scratch = BatchNormKernels.ScratchLength(outer, c, inner);
        if (_accumulator.Length < scratch) _accumulator = new double[scratch];
        BatchNormKernels.MomentSums(x.Span, outer, c, inner, _accumulator, _shift, _sum, _squaredDeviation);
        double n = (double)outer * inner;
        BatchNormChannelKernels.PoolMoments(n, _shift, _sum, _squaredDeviation, Count, _mean, _m2);
        Count += n;
    }

    /// <summary>The population mean and biased variance of the values pooled.</summary>
    public (float[] Mean, float[] Variance) Statistics()
    {
        float[] mean = new float[_mean.Length], variance = new float[_mean.Length];
        BatchNormChannelKernels.PopulationMoments(_mean, _m2, Count, mean, variance);
        return (mean, variance);
    }
}
