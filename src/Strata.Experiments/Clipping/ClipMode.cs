namespace Strata.Experiments;

/// <summary>Where the gradient is clipped: not at all, element-wise, per weight tensor, or all together.</summary>
public enum ClipMode
{
    /// <summary>No clipping.</summary>
    None,

    /// <summary>Keras's <c>clipvalue</c>: each gradient element clamped to [−threshold, threshold].</summary>
    ClipValue,

    /// <summary>Keras's <c>clipnorm</c>: each weight tensor's gradient rescaled to norm ≤ threshold.</summary>
    ClipNorm,

    /// <summary>Keras's <c>global_clipnorm</c>: all gradients rescaled together to global norm ≤ threshold.</summary>
    GlobalClipNorm,
}
