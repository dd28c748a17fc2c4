namespace Strata.Experiments;

/// <summary>The three ways the residual experiment trains the same deep residual network.</summary>
public enum ResidualVariant
{
    /// <summary>BatchNormalization after every convolution (He et al.'s basic block).</summary>
    BatchNorm,

    /// <summary>The same blocks without normalization, convolutions with biases and He et al.'s He-normal kernels.</summary>
    NoNormalization,

    /// <summary>No normalization, Fixup's initialization, scalar biases and multipliers (Zhang et al. 2019).</summary>
    Fixup,
}
