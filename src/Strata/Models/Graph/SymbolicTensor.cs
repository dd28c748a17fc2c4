using Strata.Layers;

namespace Strata;

/// <summary>
/// A placeholder for the batches that will flow through a functional model (Keras's <c>KerasTensor</c>): it holds
/// no values, only the per-sample shape and the layer call that produces it. <see cref="Input.Of(int[])"/> makes one
/// for a model input; <see cref="Layer.Call"/> makes one for a layer's output; <see cref="Model(SymbolicTensor, SymbolicTensor)"/>
/// turns the graph between inputs and outputs into a model.
/// </summary>
public sealed class SymbolicTensor
{
    internal SymbolicTensor(Shape shape, Node node)
    {
        Shape = shape;
        Node = node;
    }

    /// <summary>The shape of one sample (the batch axis left out, as layers' shapes are).</summary>
    public Shape Shape { get; }

    /// <summary>
    /// The producing layer's name, with the call's number from the second call of a shared layer on
    /// (<c>dense</c>, <c>dense_call_1</c>); a model input bears its <see cref="InputLayer"/>'s name.
    /// </summary>
    public string Name => Node.Index == 0 ? Node.Origin.Name : $"{Node.Origin.Name}_call_{Node.Index}";

    /// <summary>The layer whose call produces this tensor (an <see cref="InputLayer"/> for a model input).</summary>
    public Layer Layer => Node.Origin;

    /// <summary>The call that produces it.</summary>
    internal Node Node { get; }

    public override string ToString() => $"SymbolicTensor '{Name}' {Shape.ToBatchString()}";
}
