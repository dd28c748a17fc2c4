using Strata.Kernels;
using Strata.Layers;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// Recomputes every <see cref="BatchNormalization"/> layer's moving mean and moving (BIASED) variance as the exact
    /// population statistics of its input over <paramref name="samples"/> samples of <paramref name="x"/>, in inference
    /// order: each layer's input is computed in inference mode with the layers before it already recalibrated, as Wu &amp;
    /// Johnson ("Rethinking 'Batch' in BatchNorm", 2021) recommend and PyTorch's <c>swa_utils.update_bn</c> does after
    /// weight averaging. The moving averages a short run (momentum 0.99 needs ≈ 300 steps to forget its start), a
    /// learning-rate change or averaged weights leave behind then match the weights inference runs with.
    /// </summary>
    /// <remarks>
    /// The statistics are over every value of a feature along the layer's <see cref="BatchNormalization.Axis"/>: all
    /// samples, and every spatial position after a Conv2D, pooled batch by batch in double
    /// (<see cref="BatchNormChannelKernels.PoolMoments"/>), so the batch size changes nothing but speed. Ghost batches and
    /// Batch Renormalization train differently but infer with the moving statistics too, and are recalibrated the same
    /// (with renorm, moving_stddev = √(σ² + ε) follows). Frozen layers (<c>Trainable = false</c>) are recalibrated too,
    /// as update_bn does. Weights other than the moving statistics do not change.
    /// </remarks>
    /// <param name="x">Inputs like the training data's, [n, …].</param>
    /// <param name="samples">How many samples to use: all of <paramref name="x"/> when it has that many or fewer, else a
    /// seeded random subset of that many.</param>
    /// <param name="batchSize">Samples per forward pass (memory, not the result).</param>
    /// <param name="seed">Chooses the subset when <paramref name="x"/> has more than <paramref name="samples"/> samples.</param>
    /// <returns>What changed in each layer, in the order recalibrated (empty for a model without Batch Normalization).</returns>
    public IReadOnlyList<BatchNormRecalibration> RecalibrateBatchNormalization(Tensor x, int samples = 10_000, int batchSize = 256, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        return RecalibrateBatchNormalization([x], samples, batchSize, seed);
    }

    /// <summary>Recalibrates a model of several inputs (one tensor per input, in model order); see the overload for one.</summary>
    public IReadOnlyList<BatchNormRecalibration> RecalibrateBatchNormalization(Tensor[] x, int samples = 10_000, int batchSize = 256, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        EnsureBuilt(Checked(x));
        int n = x[0].Shape[0];
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i].Shape[0] != n || n == 0)
                throw new ArgumentException($"Model '{Name}': recalibration needs the same non-zero number of samples in every input; got {string.Join(", ", x.Select(t => t.Shape))}.", nameof(x));
        }
        CheckInputShapes(x);
        for (int i = 0; i < x.Length; i++) RequireFinite(x[i], "input");

        int used = Math.Min(samples, n);
        int[] order = [];
        if (used < n)
        {
            order = [.. Enumerable.Range(0, n)];
            new Random(seed).Shuffle(order);
        }
        var nodes = _executor!.Nodes;
        var report = new List<BatchNormRecalibration>();
        var xb = new Tensor?[x.Length];
        var xs = new Tensor[x.Length];
        foreach (var layer in nodes.Select(node => node.Origin).OfType<BatchNormalization>().Distinct())
        {
            // Every call of the layer (a shared layer is called more than once) adds to its statistics.
            int[] calls = [.. Enumerable.Range(0, nodes.Count).Where(k => ReferenceEquals(nodes[k].Origin, layer))];
            var moments = new PopulationMoments(layer.MovingMean.Value.Length);
            for (int start = 0; start < used; start += batchSize)
            {
                int count = Math.Min(batchSize, used - start);
                for (int i = 0; i < x.Length; i++) xs[i] = Gather(x[i], order, start, count, WithBatch(x[i], count), ref xb[i]);
                _executor.ForwardCalls(xs, training: false, calls[^1]);
                foreach (int k in calls) moments.Add((BatchNormalization)nodes[k].Layer, _executor.InputOf(k));
            }
            var (mean, variance) = moments.Statistics();
            var (shift, ratio) = BatchNormChannelKernels.StatisticsChange(layer.MovingMean.Value, layer.MovingVariance.Value, mean, variance, layer.Epsilon);
            layer.SetMovingStatistics(mean, variance);
            report.Add(new BatchNormRecalibration(layer.Name, (long)moments.Count, shift, ratio));
        }
        return report;
    }
}
