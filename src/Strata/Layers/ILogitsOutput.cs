namespace Strata.Layers;

/// <summary>
/// A layer whose output is φ(z) for an activation φ that a loss may fuse with (<see cref="Loss.FusesWith"/>): softmax
/// with the cross-entropies, sigmoid with binary cross-entropy. The loss then hands it dL/dz (p − y, scaled) directly,
/// which is exact and never divides by a probability that underflowed to 0 or rounded to 1.
/// </summary>
internal interface ILogitsOutput
{
    /// <summary>φ, the layer's activation.</summary>
    ActivationFunction OutputActivation { get; }

    /// <summary>The pre-activation values z of the last Forward.</summary>
    Tensor Logits { get; }

    /// <summary>Backward from dL/dz, skipping the activation's own derivative.</summary>
    Tensor BackwardFromLogits(Tensor dLogits);
}
