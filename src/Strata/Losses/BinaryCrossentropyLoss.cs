using Strata.Kernels;

namespace Strata;

/// <summary>
/// Keras's binary cross-entropy −(t log p + (1 − t) log(1 − p)) for each output (targets 0/1 or soft labels in
/// [0, 1]), the mean over a sample's outputs, then over samples. Made by <see cref="Losses.BinaryCrossentropy"/>.
/// <list type="bullet">
/// <item><see cref="FromLogits"/> false: predictions are probabilities. Keras clips them to [ε, 1 − ε], ε = 1e-7, and
/// so does Strata when the output is not a sigmoid. A sigmoid output (<c>Dense(1, activation: "sigmoid")</c>, or an
/// <c>Activation("sigmoid")</c> last) is fused instead: the loss is computed from its logits z as
/// max(z, 0) − z·t + log(1 + e^(−|z|)), with dL/dz = σ(z) − t. Where ε ≤ p ≤ 1 − ε (|z| ≲ 16) that is Keras's value
/// to float rounding; beyond, Keras's clip caps the loss at −log ε ≈ 16.1 and its gradient is zero, so a confidently
/// wrong output never recovers, while the fused loss stays exact and keeps a gradient. TensorFlow's Keras backend
/// fuses the same way (it reads the sigmoid's logits); its other backends clip.</item>
/// <item><see cref="FromLogits"/> true: predictions are logits (a linear last layer), computed as above.</item>
/// </list>
/// </summary>
public sealed class BinaryCrossentropyLoss : Loss
{
    /// <summary>Keras's backend epsilon, the clip applied to probabilities.</summary>
    private const float Epsilon = 1e-7f;

    internal BinaryCrossentropyLoss(bool fromLogits) => FromLogits = fromLogits;

    /// <summary>Whether predictions are logits rather than probabilities (Keras's <c>from_logits</c>).</summary>
    public bool FromLogits { get; }

    public override string Name => "binary_crossentropy";

    private protected override bool Elementwise => true;

    internal override bool FusesWith(ActivationFunction activation) => !FromLogits && activation is SigmoidActivation;

    internal override (int Classes, float Threshold)? ClassesOf(Shape sample) =>
        sample.Size == 1 ? (2, FromLogits ? 0f : 0.5f) : null;

    protected override double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int n, int c, Span<float> dPredictions)
        => FromLogits
            ? LossKernels.BinaryCrossEntropyFromLogits(predictions, targets, n, c, dPredictions)
            : LossKernels.BinaryCrossEntropyFromProbabilities(predictions, targets, n, c, Epsilon, dPredictions);

    private protected override double SumFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> targets, int n, int c, Span<float> dLogits)
        => LossKernels.BinaryCrossEntropyFromLogits(logits, targets, n, c, dLogits);

    public override string ToString() => FromLogits ? "binary_crossentropy(from_logits=True)" : Name;
}
