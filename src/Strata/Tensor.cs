namespace Strata;

/// <summary>
/// A dense float32 tensor in row-major order. The storage array may be longer than the shape needs,
/// so that a layer can keep one buffer and reuse it when the batch shrinks (the last partial batch).
/// </summary>
public sealed class Tensor
{
    private float[] _data;

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public Tensor(Shape shape)
    {
        Shape = shape;
        _data = shape.Size == 0 ? [] : new float[shape.Size];
    }

    /// <summary>Wraps <paramref name="data"/> without copying; it must hold at least <c>shape.Size</c> values.</summary>
    public Tensor(Shape shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < shape.Size)
            throw new ArgumentException($"A tensor of shape {shape} needs {shape.Size} values; the array holds {data.Length}.", nameof(data));
        Shape = shape;
        _data = data;
    }

    /// <summary>The dimensions, batch first.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>The values, row-major.</summary>
    public Span<float> Span => _data.AsSpan(0, Shape.Size);

    /// <summary>The backing array (may be longer than <see cref="Length"/>).</summary>
    public float[] Data => _data;

    /// <summary>Element access by flat index.</summary>
    public ref float this[int index] => ref Span[index];

    /// <summary>Element access by row and column of a 2-D view [Shape[0], Length/Shape[0]].</summary>
    public ref float this[int row, int column] => ref _data[row * (Length / Shape[0]) + column];

    /// <summary>Rows [start, start + count) of the leading dimension as a span.</summary>
    public Span<float> Rows(int start, int count)
    {
        int rowSize = Shape.Rank == 0 ? 1 : Length / Math.Max(Shape[0], 1);
        return _data.AsSpan(start * rowSize, count * rowSize);
    }

    /// <summary>
    /// A copy of the samples in <paramref name="rows"/> of the leading dimension, as a tensor of the same per-sample
    /// shape (<c>x[..32]</c>, <c>x[32..]</c>): a mini-batch or a split for a custom loop.
    /// </summary>
    public Tensor this[Range rows]
    {
        get
        {
            if (Shape.Rank == 0) throw new InvalidOperationException("A scalar tensor has no rows to slice.");
            var (start, count) = rows.GetOffsetAndLength(Shape[0]);
            return new Tensor(Shape.WithoutBatch().WithBatch(count), Rows(start, count).ToArray());
        }
    }

    /// <summary>Creates a tensor from values; the count must match the shape.</summary>
    public static Tensor FromArray(Shape shape, params float[] values)
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"Shape {shape} holds {shape.Size} values; {values.Length} were given.", nameof(values));
        return new Tensor(shape, values);
    }

    /// <summary>A copy with its own storage.</summary>
    public Tensor Clone() => new(Shape, Span.ToArray());

    /// <summary>A tensor sharing this storage under another shape of the same size.</summary>
    public Tensor Reshape(Shape shape)
    {
        if (shape.Size != Length)
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} values) to {shape} ({shape.Size} values).", nameof(shape));
        return new Tensor(shape, _data);
    }

    /// <summary>
    /// Returns a buffer of the given shape, reusing <paramref name="buffer"/>'s storage when it is large enough.
    /// Layers call this for their outputs and caches so a training step allocates only when the batch grows.
    /// </summary>
    internal static Tensor Ensure(ref Tensor? buffer, Shape shape)
    {
        if (buffer is null || buffer._data.Length < shape.Size)
        {
            buffer = new Tensor(shape);
            return buffer;
        }
        if (buffer.Shape != shape) buffer.Shape = shape;
        return buffer;
    }

    /// <summary>
    /// A tensor over the same storage as <paramref name="source"/> under <paramref name="shape"/>, cached in
    /// <paramref name="view"/> so that repeated calls with the same source and shape allocate nothing.
    /// </summary>
    internal static Tensor View(ref Tensor? view, Tensor source, Shape shape)
    {
        if (view is null || !ReferenceEquals(view._data, source._data))
            view = new Tensor(shape, source._data);
        else if (view.Shape != shape)
            view.Shape = shape;
        return view;
    }

    public override string ToString() => $"Tensor{Shape}";
}
