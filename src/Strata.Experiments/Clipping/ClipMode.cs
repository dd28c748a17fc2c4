namespace Strata.Experiments;

/// <summary>
/// Where the gradient is clipped: not at all, element-wise, per weight tensor, or all together at a fixed threshold;
/// or at thresholds that adapt, per unit (AGC) or all together (AutoClip).
/// </summary>
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

    /// <summary>Strata's <c>agc</c> (Brock et al. 2021): each unit's gradient to norm ≤ λ·max(‖W_i‖, 10⁻³), the read-out excluded.</summary>
    Agc,

    /// <summary>Strata's <c>autoClipPercentile</c> (Seetharaman et al. 2020): the global norm to ≤ the p-th percentile of the norms so far.</summary>
    AutoClip,
}
