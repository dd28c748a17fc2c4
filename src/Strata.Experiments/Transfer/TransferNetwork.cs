using Strata.Data;
using Strata.Layers;

namespace Strata.Experiments;

/// <summary>
/// The texts' transfer network (Géron ch. 11) for 28×28 images: Flatten, Dense 300, 100, 50, 50 and 50 with SELU and
/// LeCun-normal kernels, then the head: Dense(8, softmax) for model A, Dense(1, sigmoid) for model B. The BN variant
/// adds a BatchNormalization (Keras defaults) after Flatten and after every hidden Dense, as the texts' BN network has it.
/// </summary>
internal static class TransferNetwork
{
    /// <summary>The hidden layers' widths.</summary>
    public static IReadOnlyList<int> Hidden { get; } = [300, 100, 50, 50, 50];

    /// <summary>Model A: the body and an 8-way softmax.</summary>
    public static Sequential Source(bool batchNorm, int seed) => new([.. Body(batchNorm), new Dense(TransferExperiment.SourceClasses.Count, Activations.Softmax)]) { Seed = seed };

    /// <summary>Model B from scratch: the body and one sigmoid output.</summary>
    public static Sequential Scratch(bool batchNorm, int seed) => new([.. Body(batchNorm), BinaryHead()]) { Seed = seed };

    /// <summary>
    /// Model B from model A: a copy of A's layers but its head (<see cref="Model.Clone"/>: training B leaves A as it is),
    /// with a new sigmoid head initialized from <paramref name="seed"/>.
    /// </summary>
    public static Sequential Reused(Model source, int seed)
    {
        var copy = source.Clone();
        var b = new Sequential([.. copy.Layers.Take(copy.Layers.Count - 1), BinaryHead()]) { Seed = seed };
        b.Build(Presets.FashionMnistShape);
        return b;
    }

    private static Dense BinaryHead() => new(1, Activations.Sigmoid);

    private static IEnumerable<Layer> Body(bool batchNorm)
    {
        yield return new Flatten(inputShape: [FashionMnist.ImageSize, FashionMnist.ImageSize]);
        if (batchNorm) yield return new BatchNormalization();
        foreach (int units in Hidden)
        {
            yield return new Dense(units, Activations.Selu, kernelInitializer: Initializers.LecunNormal);
            if (batchNorm) yield return new BatchNormalization();
        }
    }
}
