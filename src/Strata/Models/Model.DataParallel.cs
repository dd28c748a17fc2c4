using Strata.Distributed;
using Strata.Layers;

namespace Strata;

public partial class Model
{
    // The ranks of the data-parallel Fit running now (null otherwise), and this rank's share n_r/n of the current
    // global batch, by which its mean-loss gradient is scaled so that the gradients summed over the ranks are the
    // gradient of the global batch's mean loss.
    private Communicator? _communicator;
    private float _lossShare = 1;
    private double[] _stepStatistics = [];
    private readonly double[] _stopFlag = new double[1];
    private RandomLayer[] _randomLayers = [];

    /// <summary>
    /// Rank <paramref name="rank"/>'s shard of a global batch of <paramref name="count"/> samples: consecutive samples,
    /// ⌊count/size⌋ each and one more for the first count mod size ranks, so shards differ by at most one sample.
    /// </summary>
    internal static (int First, int Count) Shard(int count, int rank, int size)
    {
        int each = count / size, extra = count % size;
        return (rank * each + Math.Min(rank, extra), each + (rank < extra ? 1 : 0));
    }

    /// <summary>
    /// The start of a data-parallel Fit: the ranks must agree on the run (same samples, batch size, seed, epochs, model
    /// size), every rank starts from rank 0's weights (trainable and not: moving statistics, adapted normalizations),
    /// and the BatchNormalization layers that synchronize get the communicator. Returns the seed every rank shuffles with.
    /// </summary>
    private int BeginDataParallel(Communicator communicator, int? seed, params (string Name, double Value)[] settings)
    {
        // A run without a seed takes rank 0's draw, so that every rank shuffles the same way.
        double[] drawn = [seed ?? Random.Shared.Next()];
        communicator.Broadcast(drawn);
        int shared = (int)drawn[0];
        (string Name, double Value)[] all = [.. settings, ("seed", shared), ("trainable parameters", _slab!.Values.Length)];
        var mine = all.Select(s => s.Value).ToArray();
        var gathered = new double[mine.Length * communicator.Size];
        communicator.AllGather(mine, gathered);
        for (int r = 0; r < communicator.Size; r++)
        {
            for (int i = 0; i < mine.Length; i++)
            {
                if (gathered[r * mine.Length + i].Equals(gathered[i])) continue;
                throw new ArgumentException(
                    $"Model '{Name}': the ranks of a data-parallel Fit disagree on {all[i].Name}: rank 0 has {gathered[i]}, rank {r} has {gathered[r * mine.Length + i]}. " +
                    "Every rank must train the same model on the same data with the same Fit arguments.");
            }
        }
        communicator.Broadcast(_slab.Values);
        foreach (var layer in _layers)
            foreach (var weight in layer.NonTrainableWeights) communicator.Broadcast(weight.Value);
        foreach (var node in Nodes)
            if (node.Layer is BatchNormalization { SynchronizesWhenDistributed: true } bn) bn.Communicator = communicator;
        // Random layers draw from (stream seed, draw number, position in the batch): rank 0's seeds, and each
        // rank's shard at its offset in the global batch (SetShardOffset), give the global batch's masks.
        _randomLayers = [.. Nodes.Select(n => n.Layer).OfType<RandomLayer>()];
        var seeds = new double[2 * _randomLayers.Length];
        for (int i = 0; i < _randomLayers.Length; i++) (seeds[2 * i], seeds[2 * i + 1]) = (_randomLayers[i].StreamSeed >> 32, _randomLayers[i].StreamSeed & 0xFFFFFFFF);
        communicator.Broadcast(seeds);
        for (int i = 0; i < _randomLayers.Length; i++) _randomLayers[i].StreamSeed = ((ulong)seeds[2 * i] << 32) | (ulong)seeds[2 * i + 1];
        _communicator = communicator;
        _stepStatistics = new double[1 + _reports.Length];
        return shared;
    }

    /// <summary>Tells the random layers (Dropout, augmentation) where this rank's shard starts in the global batch.</summary>
    private void SetShardOffset(int firstInBatch)
    {
        foreach (var layer in _randomLayers) layer.BatchOffset = firstInBatch;
    }

    /// <summary>The end of a data-parallel Fit: the layers and the model train alone again.</summary>
    private void EndDataParallel()
    {
        SetShardOffset(0);
        _randomLayers = [];
        foreach (var node in Nodes)
            if (node.Layer is BatchNormalization bn) bn.Communicator = null;
        _communicator = null;
        _lossShare = 1;
    }

    /// <summary>
    /// The collective part of a data-parallel step, before its update: the gradient slab summed over the ranks in one
    /// allreduce (each rank's gradient was scaled by its share, so the sum is the global batch's mean-loss gradient;
    /// with equal shards, the average), then in a second, small one the loss (Σ share·loss) and the reported sums.
    /// Clipping and the non-finite check then see the same numbers on every rank, so every rank takes the same step or
    /// skips it. Returns the global batch's loss; the reported sums are left in <see cref="_stepStatistics"/>.
    /// </summary>
    private float ReduceStep(Communicator communicator, float loss, ReadOnlySpan<Tensor> y, int count)
    {
        communicator.AllReduce(_slab!.Gradients);
        var statistics = _stepStatistics.AsSpan();
        statistics.Clear();
        statistics[0] = (double)loss * _lossShare;
        AddReports(_executor!.Outputs, y, count, statistics[1..]);
        communicator.AllReduce(statistics);
        return (float)statistics[0];
    }

    /// <summary>Whether any rank's callbacks asked to stop: one small allreduce, so that every rank stops after the same step.</summary>
    private bool StopRequestedEverywhere(Callback[] callbacks)
    {
        bool local = StopRequested(callbacks);
        if (_communicator is not { } communicator) return local;
        _stopFlag[0] = local ? 1 : 0;
        communicator.AllReduce(_stopFlag);
        return _stopFlag[0] > 0;
    }

    /// <summary>
    /// Validation on every rank's shard of the validation set, the sums added up over the ranks: the same mean loss and
    /// metrics as one process evaluating all of it (up to the order of the float sums).
    /// </summary>
    private EvaluationResult EvaluateDistributed(Communicator communicator, Tensor[] x, Tensor[] y, int batchSize)
    {
        int n = x[0].Shape[0];
        var (first, count) = Shard(n, communicator.Rank, communicator.Size);
        var sums = new double[1 + _reports.Length];
        AccumulateEvaluation(x, y, batchSize, first, first + count, sums, null);
        communicator.AllReduce(sums);
        return Evaluation(sums, n, null);
    }
}
