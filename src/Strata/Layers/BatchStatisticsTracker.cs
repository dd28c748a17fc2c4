using Strata.Kernels;

namespace Strata.Layers;

/// <summary>
/// What a <see cref="BatchNormalization"/> layer's training passes did to its moving statistics, for the health checks
/// of <see cref="BatchNormHealth"/>: how many updates since its weights were initialized, and the mean of the batch
/// means and batch variances since <see cref="ResetRecent"/> (Fit resets it every epoch). A step that is abandoned
/// (not finite) is taken back. Recording allocates nothing.
/// </summary>
internal sealed class BatchStatisticsTracker(int channels)
{
    private readonly double[] _meanSum = new double[channels], _varianceSum = new double[channels];
    private bool _lastCounted;

    /// <summary>Updates of the moving statistics since initialization (in this process: a loaded model starts from 0).</summary>
    public long Updates { get; private set; }

    /// <summary>Whether the moving statistics were set to population statistics (recalibrated): warm, whatever the count.</summary>
    public bool Calibrated { get; set; }

    /// <summary>Batches in the recent sums.</summary>
    public int RecentBatches { get; private set; }

    /// <summary>Records a training pass that updated the moving statistics with this batch mean and variance.</summary>
    public void Record(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance)
    {
        BatchNormChannelKernels.AccumulateStatistics(mean, 1, _meanSum);
        BatchNormChannelKernels.AccumulateStatistics(variance, 1, _varianceSum);
        Updates++;
        RecentBatches++;
        _lastCounted = true;
    }

    /// <summary>Takes back the last recorded pass, whose step was abandoned (its statistics are passed again).</summary>
    public void Abandon(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance)
    {
        if (!_lastCounted) return;
        _lastCounted = false;
        BatchNormChannelKernels.AccumulateStatistics(mean, -1, _meanSum);
        BatchNormChannelKernels.AccumulateStatistics(variance, -1, _varianceSum);
        Updates--;
        RecentBatches--;
    }

    /// <summary>Marks the last pass as kept (a new pass starts).</summary>
    public void Settle() => _lastCounted = false;

    /// <summary>Starts the recent sums again.</summary>
    public void ResetRecent()
    {
        Array.Clear(_meanSum);
        Array.Clear(_varianceSum);
        RecentBatches = 0;
        _lastCounted = false;
    }

    /// <summary>Forgets everything (the weights were drawn again).</summary>
    public void Reset()
    {
        ResetRecent();
        Updates = 0;
        Calibrated = false;
    }

    /// <summary>The mean of the recent batch means and batch variances (NaN without a recent batch).</summary>
    public (float[] Mean, float[] Variance) Recent()
    {
        float[] mean = new float[_meanSum.Length], variance = new float[_meanSum.Length];
        for (int f = 0; f < mean.Length; f++)
        {
            mean[f] = (float)(_meanSum[f] / RecentBatches);
            variance[f] = (float)(_varianceSum[f] / RecentBatches);
        }
        return (mean, variance);
    }
}
