namespace Strata;

/// <summary>The losses Keras offers for classification and regression, by the same names.</summary>
public static class Losses
{
    private static readonly BinaryCrossentropyLoss s_binaryFromProbabilities = new(fromLogits: false);
    private static readonly BinaryCrossentropyLoss s_binaryFromLogits = new(fromLogits: true);
    private static readonly HuberLoss s_huber = new(1f);

    /// <summary>−log p_y with integer labels [n]. Fused with a softmax output, computed from the logits.</summary>
    public static Loss SparseCategoricalCrossentropy { get; } = new CrossEntropyLoss("sparse_categorical_crossentropy", sparse: true);

    /// <summary>−Σⱼ tⱼ log pⱼ with target rows [n, c] (one-hot or soft).</summary>
    public static Loss CategoricalCrossentropy { get; } = new CrossEntropyLoss("categorical_crossentropy", sparse: false);

    /// <summary>Mean over outputs of (p − t)², then over samples.</summary>
    public static Loss MeanSquaredError { get; } = new MeanSquaredErrorLoss();

    /// <summary>Mean over outputs of |p − t|, then over samples.</summary>
    public static Loss MeanAbsoluteError { get; } = new MeanAbsoluteErrorLoss();

    /// <summary>
    /// Binary cross-entropy for one or more independent yes/no outputs (Keras's <c>BinaryCrossentropy(from_logits)</c>):
    /// on probabilities, fused with a sigmoid output; or on logits. See <see cref="BinaryCrossentropyLoss"/>.
    /// </summary>
    /// <param name="fromLogits">Whether the model outputs logits (a linear last layer) rather than probabilities.</param>
    public static BinaryCrossentropyLoss BinaryCrossentropy(bool fromLogits = false) =>
        fromLogits ? s_binaryFromLogits : s_binaryFromProbabilities;

    /// <summary>Keras's Huber loss with threshold <paramref name="delta"/> (see <see cref="HuberLoss"/>).</summary>
    /// <param name="delta">Where the loss turns from quadratic to linear; positive.</param>
    public static HuberLoss Huber(float delta = 1f) => delta == 1f ? s_huber : new HuberLoss(delta);

    /// <summary>
    /// Looks a loss up by its Keras name, with Keras's defaults (binary cross-entropy on probabilities, Huber with
    /// δ = 1); the other settings are the methods' arguments.
    /// </summary>
    public static Loss Get(string name) => name switch
    {
        "sparse_categorical_crossentropy" => SparseCategoricalCrossentropy,
        "categorical_crossentropy" => CategoricalCrossentropy,
        "binary_crossentropy" or "bce" => BinaryCrossentropy(),
        "mean_squared_error" or "mse" => MeanSquaredError,
        "mean_absolute_error" or "mae" => MeanAbsoluteError,
        "huber" or "huber_loss" => Huber(),
        _ => throw new ArgumentException(
            $"Unknown loss '{name}'. Known: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, " +
            "mean_squared_error (mse), mean_absolute_error (mae), huber.", nameof(name)),
    };
}
