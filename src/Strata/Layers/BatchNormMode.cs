namespace Strata.Layers;

/// <summary>
/// How a <see cref="BatchNormalization"/> layer behaves in training, a lasting state of the layer (saved with it and
/// shown by <see cref="Model.Summary"/>). Freezing a layer (<see cref="Layer.Trainable"/> = false) puts it in
/// <see cref="Inference"/>; unfreezing it keeps normalizing with the moving statistics and trains γ and β
/// (<see cref="ScaleAndShift"/>), as the Keras fine-tuning guide recommends, until the mode is set back to
/// <see cref="Training"/> on purpose.
/// </summary>
public enum BatchNormMode
{
    /// <summary>Batch statistics in training, which update the moving ones; γ and β trained (the default).</summary>
    Training,

    /// <summary>The moving statistics always, nothing updated: a frozen layer.</summary>
    Inference,

    /// <summary>The moving statistics always and never updated, γ and β trained: "scale and shift only".</summary>
    ScaleAndShift,
}
