namespace Strata;

/// <summary>The activations Keras offers, by the same names and constants.</summary>
public static class Activations
{
    /// <summary>φ(x) = x.</summary>
    public static ActivationFunction Linear { get; } = new LinearActivation();

    /// <summary>φ(x) = max(x, 0).</summary>
    public static ActivationFunction Relu { get; } = new LeakyReluActivation("relu", 0f);

    /// <summary>φ(x) = x for x &gt; 0, 0.2x otherwise (Keras's <c>leaky_relu</c> default slope).</summary>
    public static ActivationFunction LeakyRelu { get; } = new LeakyReluActivation("leaky_relu", 0.2f);

    /// <summary>φ(x) = x for x &gt; 0, eˣ − 1 otherwise (Clevert et al. 2015, α = 1).</summary>
    public static ActivationFunction Elu { get; } = new EluActivation("elu", 1f, 1f);

    /// <summary>φ(x) = λ·x for x &gt; 0, λα(eˣ − 1) otherwise, α = 1.67326324, λ = 1.05070098 (Klambauer et al. 2017).</summary>
    public static ActivationFunction Selu { get; } = new EluActivation("selu", 1.67326324f, 1.05070098f);

    /// <summary>φ(x) = 1 / (1 + e⁻ˣ).</summary>
    public static ActivationFunction Sigmoid { get; } = new SigmoidActivation();

    /// <summary>φ(x) = tanh x.</summary>
    public static ActivationFunction Tanh { get; } = new TanhActivation();

    /// <summary>φ(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x) over the last axis.</summary>
    public static ActivationFunction Softmax { get; } = new SoftmaxActivation();

    /// <summary>Leaky ReLU with a chosen negative slope.</summary>
    public static ActivationFunction LeakyReluWith(float alpha) => new LeakyReluActivation("leaky_relu", alpha);

    /// <summary>Looks an activation up by its Keras name; <c>null</c> or empty means linear.</summary>
    public static ActivationFunction Get(string? name) => name switch
    {
        null or "" or "linear" => Linear,
        "relu" => Relu,
        "leaky_relu" => LeakyRelu,
        "elu" => Elu,
        "selu" => Selu,
        "sigmoid" => Sigmoid,
        "tanh" => Tanh,
        "softmax" => Softmax,
        _ => throw new ArgumentException(
            $"Unknown activation '{name}'. Known: linear, relu, leaky_relu, elu, selu, sigmoid, tanh, softmax.", nameof(name)),
    };
}
