namespace Strata.Layers;

/// <summary>
/// A layer that draws random numbers in training (<see cref="Dropout"/>, <see cref="RandomTranslation"/>) from a
/// counter-based stream (<see cref="Kernels.DropoutKernels.Stream"/>): draw k of a layer seeded s is a hash of (s, k),
/// so its whole random state is two numbers, which a saved model keeps (training resumed from a file draws what the
/// uninterrupted run would have), and which a data-parallel Fit shares between ranks. A frozen random layer
/// (<see cref="Layer.Trainable"/> false) draws nothing and passes its input through, so a frozen part of a reused
/// network is deterministic.
/// </summary>
public abstract class RandomLayer : Layer
{
    /// <param name="seed">Seed of the stream; null draws one.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name, or null for the type's automatic one.</param>
    protected RandomLayer(int? seed, int[]? inputShape, string? name) : base(name, inputShape)
    {
        Seed = seed;
        StreamSeed = seed is int s ? (ulong)(uint)s : (ulong)Random.Shared.NextInt64();
    }

    public int? Seed { get; }

    /// <summary>The seed of the stream: <see cref="Seed"/>, or a random one drawn at construction.</summary>
    internal ulong StreamSeed { get; set; }

    /// <summary>Draws so far (one per training batch); the next is number <see cref="MasksDrawn"/> of the stream.</summary>
    internal long MasksDrawn { get; set; }

    /// <summary>
    /// Where this batch starts within the global batch, in samples (set per step by a data-parallel Fit, 0 otherwise),
    /// so that N ranks draw for their shards exactly what one process draws for the global batch.
    /// </summary>
    internal int BatchOffset { get; set; }

    internal override bool TrainingPassIsInference => !Trainable;

    /// <summary>For gradient checks: repeat the last draw instead of taking the next.</summary>
    internal bool ReuseDraw { get; set; }
}
