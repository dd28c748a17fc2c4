using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;

namespace Strata;

public partial class Model
{
    private void RequireCompiled()
    {
        if (Optimizer is null || Loss is null)
            throw new InvalidOperationException($"Model '{Name}' must be compiled (Compile(optimizer, loss)) before training or evaluation.");
    }

    /// <summary>
    /// Refuses inputs and targets that do not fit the model, its loss and its metrics, or that hold a NaN or infinite
    /// value, before anything changes (no layer has run, no moving statistic moved).
    /// </summary>
    private void CheckPair(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> y)
    {
        for (int j = 0; j < y.Length; j++) ArgumentNullException.ThrowIfNull(y[j], nameof(y));
        EnsureBuilt(x);
        if (y.Length != _outputs.Length)
            throw new ArgumentException($"Model '{Name}' has {_outputs.Length} output(s); it was given {y.Length} target tensor(s).", nameof(y));
        int n = x[0].Shape[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i].Shape[0] != n)
                throw new ArgumentException($"Model '{Name}': inputs {x[0].Shape} and {x[i].Shape} must have the same number of samples.", nameof(x));
        }
        for (int j = 0; j < y.Length; j++)
        {
            if (y[j].Shape.Rank < 1 || y[j].Shape[0] != n)
                throw new ArgumentException($"Model '{Name}': inputs {x[0].Shape} and targets {y[j].Shape} must have the same number of samples.");
        }
        if (n == 0) throw new ArgumentException($"Model '{Name}': the batch is empty.", nameof(x));
        CheckInputShapes(x);
        for (int j = 0; j < y.Length; j++)
        {
            Loss?.CheckOutput(_outputShapes[j], n, y[j].Shape);
            for (int m = 0; m < CompiledMetrics.Count; m++) CompiledMetrics[m].CheckOutput(_outputShapes[j], n, y[j].Shape);
        }
        for (int i = 0; i < x.Length; i++) RequireFinite(x[i], "input");
        for (int j = 0; j < y.Length; j++) RequireFinite(y[j], "target");
        if (Loss is { SparseTargets: true })
            for (int j = 0; j < y.Length; j++) RequireClassIndices(y[j], j);
    }

    /// <summary>
    /// Refuses a batch whose samples do not have an input's shape, naming the input, the layers that read it and both
    /// shapes, before any layer runs (in a graph, another branch could otherwise have moved its statistics already).
    /// </summary>
    private void CheckInputShapes(ReadOnlySpan<Tensor> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            var shape = x[i].Shape;
            if (shape.Rank != _inputShapes[i].Rank + 1 || !shape.Dims[1..].SequenceEqual(_inputShapes[i].Dims)) throw InputMismatch(_inputs[i], shape);
        }
    }

    /// <summary>The error for a batch of <paramref name="shape"/> given for <paramref name="input"/> (apart: a lambda here would allocate every step).</summary>
    private ArgumentException InputMismatch(SymbolicTensor input, Shape shape)
    {
        string readers = string.Join(", ", Nodes.Where(n => n.Inputs.Contains(input)).Select(n => $"'{n.Origin.Name}'").Distinct());
        string what = _topology is null ? $"its first layer {readers}" : $"input '{input.Name}' (read by {readers})";
        return new ArgumentException($"Model '{Name}': {what} takes {input.Shape.ToBatchString()}; got {shape}.", "x");
    }

    /// <summary>
    /// Refuses a NaN or infinite value, naming the sample, before any state changes: such a value would make the step's
    /// loss NaN and pass for an exploding gradient.
    /// </summary>
    private void RequireFinite(Tensor t, string what)
    {
        var values = t.Span;
        if (TensorPrimitives.IsFiniteAll<float>(values)) return;
        int index = FirstNonFinite(values);
        int perSample = Math.Max(1, t.Length / t.Shape[0]);
        throw new ArgumentException(
            $"Model '{Name}': {what} value {values[index].ToString(CultureInfo.InvariantCulture)} of sample {index / perSample} (element {index % perSample} of it) is not finite; " +
            "NaN or infinite data cannot be trained or evaluated on.");
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Refuses a label that is not a class index of output <paramref name="output"/>, naming the sample, before any state changes.</summary>
    private void RequireClassIndices(Tensor y, int output)
    {
        int classes = _outputShapes[output][^1];
        var labels = y.Span;
        for (int i = 0; i < labels.Length; i++)
        {
            float v = labels[i];
            if (v != (int)v || v < 0 || v >= classes)
            {
                string of = _outputs.Length == 1 ? "" : $" for output '{_outputNames[output]}'";
                throw new ArgumentException($"Model '{Name}': label {v} of sample {i}{of} is not a class index in 0..{classes - 1} of its {classes} outputs.");
            }
        }
    }

    /// <summary>An array of tensors as a span, refusing a null array.</summary>
    private static ReadOnlySpan<Tensor> Checked(Tensor[] tensors, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(tensors))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensors, name);
        return tensors;
    }

    /// <summary>Copies samples <paramref name="indices"/> (or a contiguous range) of <paramref name="source"/> into a batch buffer.</summary>
    private protected static Tensor Gather(Tensor source, ReadOnlySpan<int> indices, int start, int count, Shape batchShape, ref Tensor? buffer)
    {
        var batch = Tensor.Ensure(ref buffer, batchShape);
        int rowSize = source.Shape[0] == 0 ? 0 : source.Length / source.Shape[0];
        var src = source.Span;
        var dst = batch.Span;
        if (indices.IsEmpty)
        {
            src.Slice(start * rowSize, count * rowSize).CopyTo(dst);
        }
        else
        {
            for (int i = 0; i < count; i++)
                src.Slice(indices[start + i] * rowSize, rowSize).CopyTo(dst.Slice(i * rowSize, rowSize));
        }
        return batch;
    }

    private protected static Shape WithBatch(Tensor t, int batch) => t.Shape.WithoutBatch().WithBatch(batch);

    private static Tensor SliceRows(Tensor t, int start, int count) => new(WithBatch(t, count), t.Rows(start, count).ToArray());

    private static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
