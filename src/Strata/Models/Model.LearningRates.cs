namespace Strata;

public partial class Model
{
    /// <summary>
    /// Sets <see cref="Layers.Layer.LearningRateMultiplier"/> of the layers in <paramref name="layers"/> of
    /// <see cref="Layers"/>: <c>model.SetLearningRateMultiplier(..^1, 0.1f)</c> fine-tunes a reused network at a tenth
    /// of the rate of its new head (PyTorch's parameter groups). It takes effect from the next update, and is saved
    /// with the model.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative or non-finite multiplier.</exception>
    public void SetLearningRateMultiplier(Range layers, float multiplier)
    {
        var (start, count) = layers.GetOffsetAndLength(_layers.Count);
        for (int i = start; i < start + count; i++) _layers[i].LearningRateMultiplier = multiplier;
    }
}
