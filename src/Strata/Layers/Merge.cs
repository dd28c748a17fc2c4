namespace Strata.Layers;

/// <summary>
/// A layer that combines several inputs into one (Keras's merge layers: <see cref="Add"/>, <see cref="Multiply"/>,
/// <see cref="Concatenate"/>), called on symbolic tensors with <see cref="Call(SymbolicTensor[])"/>. It has no
/// weights; Backward gives one gradient per input (<see cref="InputGradients"/>).
/// </summary>
public abstract class Merge : Layer
{
    private Shape[] _inputShapes = [];
    private Tensor? _y;
    private Tensor[] _inputs = [];
    private Tensor[] _dInputs = [];
    private bool _readyForBackward;

    private protected Merge(string? name) : base(name, null) { }

    /// <summary>The per-sample shape of each input, once built.</summary>
    public IReadOnlyList<Shape> InputShapes => _inputShapes;

    /// <summary>Merges symbolic tensors (at least one) into one: <c>new Add().Call(a, b)</c>.</summary>
    /// <exception cref="ArgumentException">The shapes do not merge; the message names the layer and every shape.</exception>
    public SymbolicTensor Call(params SymbolicTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs) ArgumentNullException.ThrowIfNull(input, nameof(inputs));
        return CallCore(inputs);
    }

    /// <summary>Builds the layer for the per-sample shapes of its inputs and returns the output shape.</summary>
    /// <exception cref="ArgumentException">The shapes do not merge, or differ from those the layer was built for.</exception>
    public Shape Build(IReadOnlyList<Shape> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (IsBuilt)
        {
            if (!inputShapes.SequenceEqual(_inputShapes))
                throw new ArgumentException($"Layer '{Name}' ({TypeName}) was built for inputs {Describe(_inputShapes)} and cannot take {Describe(inputShapes)}.");
            return OutputShape;
        }
        if (inputShapes.Count == 0) throw new ArgumentException($"Layer '{Name}' ({TypeName}) merges at least one input; it got none.");
        var output = MergedShape(inputShapes);
        _inputShapes = [.. inputShapes];
        _inputs = new Tensor[_inputShapes.Length];
        _dInputs = new Tensor[_inputShapes.Length];
        MarkBuilt(_inputShapes[0], output);
        return output;
    }

    internal override Shape BuildForCall(IReadOnlyList<Shape> inputShapes, Random random) => Build(inputShapes);

    /// <summary>Checks that the shapes merge (naming the layer and all of them otherwise) and returns the merged shape.</summary>
    private protected abstract Shape MergedShape(IReadOnlyList<Shape> inputs);

    /// <summary>Computes the merged batch into <paramref name="y"/>, whose shape <see cref="BatchShape"/> gave.</summary>
    private protected abstract void Merged(IReadOnlyList<Tensor> inputs, Tensor y);

    /// <summary>The batched output shape for the batched inputs.</summary>
    private protected abstract Shape BatchShape(IReadOnlyList<Tensor> inputs);

    /// <summary>Writes dL/dXᵢ for each input into <paramref name="dInputs"/>, from dL/dY and the inputs of the last Forward.</summary>
    private protected abstract void Gradients(Tensor dy, IReadOnlyList<Tensor> inputs, Tensor[] dInputs);

    /// <summary>Merges a batch of each input; with <paramref name="training"/> it keeps what Backward needs.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs(inputs);
        for (int i = 0; i < inputs.Count; i++) _inputs[i] = inputs[i];
        var y = Tensor.Ensure(ref _y, BatchShape(inputs));
        Merged(inputs, y);
        _readyForBackward = training;
        return y;
    }

    /// <summary>
    /// Given dL/dY of the last training Forward, returns dL/dXᵢ for each input, in input order. The tensors are the
    /// layer's buffers (or <paramref name="dy"/> itself), overwritten by the next call.
    /// </summary>
    public IReadOnlyList<Tensor> InputGradients(Tensor dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        CheckGradient(dy, _readyForBackward ? _y : null);
        Gradients(dy, _inputs, _dInputs);
        return _dInputs;
    }

    /// <summary>Refused: a merge layer takes several inputs (<see cref="Forward(IReadOnlyList{Tensor}, bool)"/>).</summary>
    public sealed override Tensor Forward(Tensor x, bool training) => throw SeveralInputs();

    /// <summary>Refused: a merge layer gives one gradient per input (<see cref="InputGradients"/>).</summary>
    public sealed override Tensor Backward(Tensor dy) => throw SeveralInputs();

    protected sealed override Shape OnBuild(Shape inputShape, Random random) => throw SeveralInputs();

    /// <summary>dL/dXᵢ buffer i, shaped like input i of the last Forward.</summary>
    private protected static Tensor Buffer(Tensor[] dInputs, int i, Shape shape)
    {
        Tensor? buffer = dInputs[i];
        return dInputs[i] = Tensor.Ensure(ref buffer, shape);
    }

    /// <summary>The shape of element-wise merges (Add, Multiply): every input's, which must be one shape.</summary>
    private protected Shape CommonShape(IReadOnlyList<Shape> inputs)
    {
        if (inputs.Any(s => s != inputs[0]))
            throw new ArgumentException($"Layer '{Name}' ({TypeName}) needs inputs of one shape; got {Describe(inputs)}.");
        return inputs[0];
    }

    /// <summary>"(None, 4), (None, 5)": per-sample shapes for messages.</summary>
    private protected static string Describe(IEnumerable<Shape> shapes) => string.Join(", ", shapes.Select(s => s.ToBatchString()));

    private void CheckInputs(IReadOnlyList<Tensor> inputs)
    {
        if (!IsBuilt)
            throw new InvalidOperationException($"Layer '{Name}' ({TypeName}) is not built; build it (or the model) before calling it.");
        bool ok = inputs.Count == _inputShapes.Length;
        for (int i = 0; ok && i < inputs.Count; i++)
        {
            var shape = inputs[i].Shape;
            ok = shape.Rank == _inputShapes[i].Rank + 1 && shape.Dims[1..].SequenceEqual(_inputShapes[i].Dims) && shape[0] == inputs[0].Shape[0];
        }
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' ({TypeName}) expects inputs {Describe(_inputShapes)} but got {string.Join(", ", inputs.Select(t => t.Shape.ToString()))}.", nameof(inputs));
    }

    private InvalidOperationException SeveralInputs() =>
        new($"Layer '{Name}' ({TypeName}) merges several inputs: call it on symbolic tensors (Call(a, b)) in a functional Model, or use Forward(inputs) and InputGradients.");
}
