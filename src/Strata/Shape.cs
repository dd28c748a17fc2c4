using System.Collections;

namespace Strata;

/// <summary>
/// The dimensions of a tensor, outermost first (row-major, channels-last like Keras).
/// Layer shapes leave the batch dimension out; <see cref="Tensor"/> shapes include it.
/// </summary>
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    /// <summary>Largest element count a single tensor may hold (the limit of a .NET float array).</summary>
    public const long MaxSize = 0x7FFFFFC7;

    private readonly int[]? _dims;

    /// <summary>Creates a shape; every dimension must be non-negative and the product must fit one array.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Shape dimension {i} is {dims[i]}; dimensions must be non-negative.", nameof(dims));
            size *= dims[i];
            if (size > MaxSize)
                throw new ArgumentException($"Shape ({string.Join(", ", dims.ToArray())}) holds more than {MaxSize} elements.", nameof(dims));
        }
        _dims = dims.ToArray();
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Number of elements: the product of the dimensions (1 for a scalar shape).</summary>
    public int Size
    {
        get
        {
            int size = 1;
            foreach (int d in Dims) size *= d;
            return size;
        }
    }

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis)];

    /// <inheritdoc/>
    public int Count => Rank;

    /// <summary>Maps a possibly negative axis to 0..Rank-1, or throws.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this}.");
        return a;
    }

    /// <summary>This shape with a leading batch dimension.</summary>
    public Shape WithBatch(int batch)
    {
        var dims = new int[Rank + 1];
        dims[0] = batch;
        Dims.CopyTo(dims.AsSpan(1));
        return new Shape(dims);
    }

    /// <summary>This shape without its leading (batch) dimension.</summary>
    public Shape WithoutBatch() =>
        Rank == 0 ? throw new InvalidOperationException("A scalar shape has no batch dimension.") : new Shape(Dims[1..]);

    /// <summary>Keras's notation for a batched layer shape: <c>(None, 28, 28)</c>.</summary>
    public string ToBatchString() => Rank == 0 ? "(None,)" : $"(None, {string.Join(", ", _dims!)})";

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Python-like notation: <c>(32, 784)</c>, <c>(10,)</c>.</summary>
    public override string ToString() => Rank == 1 ? $"({_dims![0]},)" : $"({string.Join(", ", _dims ?? [])})";

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_dims ?? [])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static implicit operator Shape(int[] dims) => new(dims);
}
