using Strata.Layers;

namespace Strata;

public partial class Model
{
    /// <summary>
    /// Freezes the layers in <paramref name="layers"/> of <see cref="Layers"/> (all by default): <c>model.Freeze(..^1)</c>
    /// leaves only the last layer trainable, as a new head on a reused network is trained first. Their weights stop
    /// changing from the next training step on, compiled or not; a frozen BatchNormalization runs in inference mode
    /// (Keras's rule), a frozen Dropout drops nothing, and the optimizer keeps the state of frozen weights for when they
    /// are unfrozen.
    /// </summary>
    public void Freeze(Range? layers = null) => SetTrainable(layers ?? .., false);

    /// <summary>
    /// Makes the layers in <paramref name="layers"/> (all by default) trainable again; see <see cref="Freeze"/>. A
    /// BatchNormalization frozen before keeps normalizing with its moving statistics and trains γ and β
    /// (<see cref="BatchNormMode.ScaleAndShift"/>, the Keras fine-tuning guide's advice), unless
    /// <paramref name="batchStatistics"/> asks for <see cref="BatchNormMode.Training"/> again.
    /// </summary>
    public void Unfreeze(Range? layers = null, bool batchStatistics = false)
    {
        SetTrainable(layers ?? .., true);
        if (!batchStatistics) return;
        var (start, count) = (layers ?? ..).GetOffsetAndLength(_layers.Count);
        foreach (var bn in _layers.Skip(start).Take(count).OfType<BatchNormalization>()) bn.Mode = BatchNormMode.Training;
    }

    private void SetTrainable(Range range, bool trainable)
    {
        var (start, count) = range.GetOffsetAndLength(_layers.Count);
        for (int i = start; i < start + count; i++) _layers[i].Trainable = trainable;
    }
}
