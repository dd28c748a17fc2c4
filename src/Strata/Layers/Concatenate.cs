using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Joins its inputs along <see cref="Axis"/>, as Keras's <c>Concatenate</c>: every other dimension must be equal; the
/// output's size along the axis is the sum of the inputs'. Backward hands each input its slice of dL/dy.
/// </summary>
public sealed class Concatenate : Merge, IConfigurableLayer
{
    private int _outerPerSample; // values before the axis, per sample
    private int[] _inner = [];   // per input: its values from the axis on
    private int _width;          // Σ _inner
    private Shape _batchShape;
    private int _batchShapeFor = -1;

    /// <param name="axis">The axis to join along, counting the batch axis as 0 (which cannot be joined); −1, the default, is the last.</param>
    /// <param name="name">Layer name; by default concatenate, concatenate_1, …</param>
    public Concatenate(int axis = -1, string? name = null) : base(name)
    {
        if (axis == 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, "Concatenate cannot join along the batch axis (0).");
        Axis = axis;
    }

    /// <summary>The axis joined along, as given (batch axis 0; negative counts from the end).</summary>
    public int Axis { get; }

    internal override void WriteConfig(LayerConfigWriter config) => config.Int("axis", Axis);

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) => new Concatenate(c.Int("axis", -64, 64), c.Name);

    private protected override Shape MergedShape(IReadOnlyList<Shape> inputs)
    {
        int rank = inputs[0].Rank;
        int axis = (Axis < 0 ? Axis + rank + 1 : Axis) - 1;
        bool ok = axis >= 0 && axis < rank;
        for (int i = 1; ok && i < inputs.Count; i++)
        {
            ok = inputs[i].Rank == rank;
            for (int d = 0; ok && d < rank; d++) ok = d == axis || inputs[i][d] == inputs[0][d];
        }
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' (Concatenate) joins along axis {Axis} inputs whose other dimensions match; got {Describe(inputs)}.");
        _outerPerSample = 1;
        for (int d = 0; d < axis; d++) _outerPerSample *= inputs[0][d];
        _inner = [.. inputs.Select(s => s.Size / Math.Max(1, _outerPerSample))];
        _width = _inner.Sum();
        var dims = inputs[0].Dims.ToArray();
        dims[axis] = inputs.Sum(s => s[axis]);
        return new Shape(dims);
    }

    private protected override Shape BatchShape(IReadOnlyList<Tensor> inputs)
    {
        int batch = inputs[0].Shape[0];
        if (batch != _batchShapeFor)
        {
            _batchShape = OutputShape.WithBatch(batch);
            _batchShapeFor = batch;
        }
        return _batchShape;
    }

    private protected override void Merged(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        int outer = y.Shape[0] * _outerPerSample, offset = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            MergeKernels.IntoColumns(inputs[i].Span, outer, _inner[i], offset, _width, y.Span);
            offset += _inner[i];
        }
    }

    private protected override void Gradients(Tensor dy, IReadOnlyList<Tensor> inputs, Tensor[] dInputs)
    {
        int outer = dy.Shape[0] * _outerPerSample, offset = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var dx = Buffer(dInputs, i, inputs[i].Shape);
            MergeKernels.FromColumns(dy.Span, outer, _width, offset, _inner[i], dx.Span);
            offset += _inner[i];
        }
    }
}
