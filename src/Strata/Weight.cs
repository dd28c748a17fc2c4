namespace Strata;

/// <summary>
/// A named weight tensor of a layer (<c>dense/kernel</c>, <c>batch_normalization/moving_mean</c>) and, when
/// trainable, its gradient. Values and gradients are views into storage the model owns: a
/// <see cref="Sequential"/> packs all trainable weights into one flat slab so that a global norm or an
/// optimizer update is one pass over memory.
/// </summary>
public sealed class Weight
{
    private float[] _values;
    private int _offset;
    private float[] _gradients;
    private int _gradientOffset;

    internal Weight(string name, Shape shape, bool trainable)
    {
        Name = name;
        Shape = shape;
        Trainable = trainable;
        _values = new float[shape.Size];
        _gradients = trainable ? new float[shape.Size] : [];
    }

    /// <summary>Keras-style name: <c>layer/weight</c>.</summary>
    public string Name { get; }

    /// <summary>Dimensions of the weight (a Dense kernel is [inputs, units], as Keras stores it).</summary>
    public Shape Shape { get; }

    /// <summary>Number of scalars.</summary>
    public int Size => Shape.Size;

    /// <summary>Whether an optimizer updates this weight (moving statistics are not trainable).</summary>
    public bool Trainable { get; }

    /// <summary>
    /// The factor on the optimizer's learning rate for this weight (its layer's <see cref="Layers.Layer.LearningRateMultiplier"/>):
    /// a reused network fine-tuned at a tenth of the new head's rate, as PyTorch's parameter groups and Caffe's lr_mult do.
    /// </summary>
    internal float LearningRateScale { get; set; } = 1f;

    /// <summary>The current values, row-major.</summary>
    public Span<float> Value => _values.AsSpan(_offset, Size);

    /// <summary>The accumulated gradient of the loss with respect to this weight (empty when not trainable).</summary>
    public Span<float> Gradient => Trainable ? _gradients.AsSpan(_gradientOffset, Size) : [];

    /// <summary>Whether the values live at <paramref name="offset"/> of <paramref name="values"/> (a slab).</summary>
    internal bool IsBoundTo(float[] values, int offset) => ReferenceEquals(_values, values) && _offset == offset;

    /// <summary>Moves this weight's storage into shared slabs, keeping its current values.</summary>
    internal void Rebind(float[] values, int offset, float[] gradients, int gradientOffset)
    {
        Value.CopyTo(values.AsSpan(offset, Size));
        _values = values;
        _offset = offset;
        _gradients = gradients;
        _gradientOffset = gradientOffset;
    }

    public override string ToString() => $"{Name} {Shape}";
}
