namespace Strata.Layers;

/// <summary>
/// A layer whose output is softmax(z). A cross-entropy loss then hands it dL/dz = (p − y)/N directly,
/// which is exact and never divides by a probability that underflowed to zero.
/// </summary>
internal interface ISoftmaxOutput
{
    /// <summary>True when the layer's activation is softmax.</summary>
    bool EndsInSoftmax { get; }

    /// <summary>The pre-softmax values z of the last Forward.</summary>
    Tensor Logits { get; }

    /// <summary>Backward from dL/dz, skipping the softmax's own derivative.</summary>
    Tensor BackwardFromLogits(Tensor dLogits);
}
