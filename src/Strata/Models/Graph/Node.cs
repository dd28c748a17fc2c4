using Strata.Layers;

namespace Strata;

/// <summary>
/// One call of a layer in a graph (Keras's <c>Node</c>): the layer called, its inputs, its output. The first call of
/// a layer runs the layer itself; a later call runs a twin that shares its weights (see <see cref="Layer.Call"/>),
/// so that every call keeps its own forward cache for Backward.
/// </summary>
internal sealed class Node
{
    public Node(Layer runner, Layer origin, int index, SymbolicTensor[] inputs, Shape outputShape)
    {
        Layer = runner;
        Origin = origin;
        Index = index;
        Inputs = inputs;
        Output = new SymbolicTensor(outputShape, this);
    }

    /// <summary>The instance that computes this call: <see cref="Origin"/> itself, or its twin for a later call.</summary>
    public Layer Layer { get; }

    /// <summary>The layer the user called, which owns the weights.</summary>
    public Layer Origin { get; }

    /// <summary>Which call of <see cref="Origin"/> this is, from 0 (Keras's node index).</summary>
    public int Index { get; }

    /// <summary>The tensors the call takes; none for a model input.</summary>
    public SymbolicTensor[] Inputs { get; }

    /// <summary>The tensor the call produces.</summary>
    public SymbolicTensor Output { get; }

    /// <summary>Whether this is a model input (<see cref="InputLayer"/>), which is fed rather than computed.</summary>
    public bool IsInput => Origin is InputLayer;

    /// <summary>How Keras's summary refers to this call's output: <c>dense[1][0]</c> (layer, call, output of the call).</summary>
    public string Reference => $"{Origin.Name}[{Index}][0]";
}
