namespace Strata.Layers;

public abstract partial class Layer
{
    private readonly List<Node> _inboundNodes = [];

    /// <summary>The calls of this layer on symbolic tensors, in order (Keras's <c>_inbound_nodes</c>): call k is node k.</summary>
    internal IReadOnlyList<Node> InboundNodes => _inboundNodes;

    /// <summary>
    /// Applies the layer to a symbolic tensor, as <c>layer(x)</c> does in a Keras functional model, and returns the
    /// symbolic output. The first call builds the layer for <paramref name="input"/>'s shape, as Keras builds a layer at
    /// its first call (its weights drawn at random; give the model a <see cref="Model.Seed"/> to draw them reproducibly).
    /// A later call shares the layer: it runs on the same weights, and a training step's gradient of each weight is
    /// the sum over the calls.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not suit the layer; the message names the layer and the shapes.</exception>
    public SymbolicTensor Call(SymbolicTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CallCore([input]);
    }

    /// <summary>Records a call on <paramref name="inputs"/>: builds the layer (first call) or a twin that shares its weights.</summary>
    internal SymbolicTensor CallCore(SymbolicTensor[] inputs)
    {
        if (this is InputLayer)
            throw new InvalidOperationException($"Layer '{Name}' (InputLayer) stands for a model input; use its tensor (Input.Of) rather than calling it.");
        var shapes = inputs.Select(t => t.Shape).ToArray();
        Layer runner = this;
        if (_inboundNodes.Count == 0)
        {
            BuildForCall(shapes, new Random());
        }
        else
        {
            // A later call needs its own forward caches for Backward: a twin of the same configuration, built on the
            // original's weights.
            runner = CloneConfiguration();
            using (var sharing = WeightSharing.Begin(runner, this, string.Join(", ", shapes.Select(s => s.ToBatchString()))))
            {
                runner.BuildForCall(shapes, new Random(0));
                sharing.Complete();
            }
            runner.Trainable = Trainable;
        }
        return AddNode(new Node(runner, this, _inboundNodes.Count, inputs, runner.OutputShape));
    }

    /// <summary>Registers a call of this layer and returns its output.</summary>
    private protected SymbolicTensor AddNode(Node node)
    {
        _inboundNodes.Add(node);
        return node.Output;
    }

    /// <summary>Builds the layer for one call's input shapes: one shape, unless the layer merges several (<see cref="Merge"/>).</summary>
    internal virtual Shape BuildForCall(IReadOnlyList<Shape> inputShapes, Random random)
    {
        if (inputShapes.Count != 1)
            throw new ArgumentException($"Layer '{Name}' ({TypeName}) takes one input; it was called on {inputShapes.Count}.");
        return Build(inputShapes[0], random);
    }
}
