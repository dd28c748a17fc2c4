using Strata.Layers;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// The most memory, in bytes, that Fit may give to the cached outputs of a frozen part of the model (1 GiB by
    /// default; 0 turns caching off). When the first layers are frozen and deterministic in training (Batch
    /// Normalization in inference mode, Dropout and RandomTranslation frozen: see <see cref="Freeze"/>) and only their
    /// last output feeds the rest, their outputs cannot change while they stay frozen: Fit computes them once for the
    /// training samples, in inference passes of the batch size, and trains the layers after them on those features,
    /// which gives the weights the uncached run gives, far faster when the frozen part is most of the work (a new head
    /// on a reused network). A layer unfrozen during Fit (an <see cref="UnfreezingSchedule"/>) ends the cache, or moves
    /// it to the part still frozen. Validation and inference run the whole model as usual.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long FrozenFeatureCacheLimit
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 1L << 30;

    /// <summary>
    /// The features a Fit trains on in place of the inputs: the output of call <see cref="FirstCall"/> − 1 for every
    /// training sample (<see cref="Features"/>), or none (FirstCall 0, the model inputs). <see cref="Version"/> is the
    /// <see cref="Layer.TrainableChanges"/> count they were worked out for; the shapes are a full and a partial batch's.
    /// </summary>
    private sealed record FrozenFeatures(int Version, int FirstCall, Tensor? Features, Shape Full, Shape Part)
    {
        public static FrozenFeatures None(int version) => new(version, 0, null, default, default);
    }

    private readonly Tensor[] _featureBatch = new Tensor[1];

    /// <summary>The last call of the frozen prefix Fit would cache now (−1: none); see <see cref="GraphExecutor.FrozenPrefixEnd"/>.</summary>
    internal int FrozenPrefixEnd()
    {
        FollowTrainable();
        return _executor?.FrozenPrefixEnd() ?? -1;
    }

    /// <summary>
    /// The features to train the next step on: <paramref name="current"/> while no layer's Trainable changed, else
    /// those of the frozen prefix now (<see cref="GraphExecutor.FrozenPrefixEnd"/>), kept when the prefix is the same,
    /// computed when it is new and fits in <see cref="FrozenFeatureCacheLimit"/>.
    /// </summary>
    private FrozenFeatures CurrentFeatures(FrozenFeatures? current, Tensor[] x, int trainCount, int batchSize, int fullShard, int partShard)
    {
        FollowTrainable(); // twins follow their layers before the prefix is read
        int version = Layer.TrainableChanges;
        if (current is not null && current.Version == version) return current;
        int end = FrozenFeatureCacheLimit == 0 ? -1 : _executor!.FrozenPrefixEnd();
        if (end < 0) return FrozenFeatures.None(version);
        if (current is { Features: not null } && current.FirstCall == end + 1) return current with { Version = version };
        var sample = _executor!.Nodes[end].Output.Shape;
        if ((long)trainCount * sample.Size * sizeof(float) > FrozenFeatureCacheLimit) return FrozenFeatures.None(version);

        var features = new Tensor(sample.WithBatch(trainCount));
        var batches = new Tensor?[x.Length];
        var inputs = new Tensor[x.Length];
        int size = sample.Size;
        for (int start = 0; start < trainCount; start += batchSize)
        {
            int count = Math.Min(batchSize, trainCount - start);
            for (int i = 0; i < x.Length; i++) inputs[i] = Gather(x[i], [], start, count, WithBatch(x[i], count), ref batches[i]);
            _executor.ForwardCalls(inputs, training: false, end + 1);
            _executor.CallOutput(end).Span.CopyTo(features.Span.Slice(start * size, count * size));
        }
        return new FrozenFeatures(version, end + 1, features, sample.WithBatch(fullShard), sample.WithBatch(partShard));
    }
}
