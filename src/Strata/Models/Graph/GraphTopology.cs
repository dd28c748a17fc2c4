using Strata.Layers;

namespace Strata;

/// <summary>
/// The structure of a functional model, found as Keras's <c>map_graph</c> finds it: a depth-first walk from the outputs
/// back to the inputs orders the calls so that each comes after the calls it reads; a call's depth is its longest
/// distance to an output, and a layer's the largest of its calls'. The layers are listed by decreasing depth, ties in
/// the order the walk met them (Keras's <c>model.layers</c>, and the rows of its summary).
/// </summary>
internal sealed class GraphTopology
{
    private readonly HashSet<Node> _nodes;

    private GraphTopology(Node[] order, Layer[] layers, HashSet<Node> nodes, bool sequentialLike)
    {
        Order = order;
        Layers = layers;
        _nodes = nodes;
        SequentialLike = sequentialLike;
    }

    /// <summary>The calls to compute, each after the calls whose outputs it reads (model inputs left out).</summary>
    public Node[] Order { get; }

    /// <summary>Every layer once, input layers included, in Keras's order.</summary>
    public Layer[] Layers { get; }

    /// <summary>
    /// Whether Keras would print the model as a stack: one call at every depth, none with several inputs, no layer
    /// called twice. Its summary then has no "Connected to" column.
    /// </summary>
    public bool SequentialLike { get; }

    /// <summary>The calls of <paramref name="layer"/> that belong to this model, in call order.</summary>
    public IEnumerable<Node> NodesOf(Layer layer) => layer.InboundNodes.Where(_nodes.Contains);

    /// <summary>Maps the graph from <paramref name="outputs"/> back to <paramref name="inputs"/>, refusing a graph that is not a model.</summary>
    /// <exception cref="ArgumentException">
    /// An input is not a model input (<see cref="Input.Of(int[])"/>) or is given twice, an output is an input, the
    /// outputs need an input that is not given, or two layers share a name.
    /// </exception>
    public static GraphTopology Map(SymbolicTensor[] inputs, SymbolicTensor[] outputs, string model)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].Node.IsInput)
                throw new ArgumentException($"Model '{model}': input {i} is the output of layer '{inputs[i].Layer.Name}', not a model input; make inputs with Input.Of.");
            if (Array.IndexOf(inputs, inputs[i]) != i)
                throw new ArgumentException($"Model '{model}': input '{inputs[i].Name}' is given twice.");
        }
        foreach (var output in outputs)
        {
            if (output.Node.IsInput)
                throw new ArgumentException($"Model '{model}': output '{output.Name}' is a model input; an output must come from a layer.");
        }

        var (order, discovery) = Walk(outputs);
        var (nodeDepth, layerDepth) = Depths(order);
        foreach (var input in inputs)
        {
            // An input no output needs (Keras keeps it: it may feed a loss or metric).
            if (layerDepth.TryAdd(input.Layer, 0))
            {
                discovery[input.Layer] = -1;
                nodeDepth[input.Node] = 0;
            }
        }
        foreach (var node in order)
        {
            if (node.IsInput && Array.IndexOf(inputs, node.Output) < 0)
                throw new ArgumentException(
                    $"Model '{model}': the graph is disconnected: the outputs need input '{node.Output.Name}', which is not among the model's inputs ({string.Join(", ", inputs.Select(t => t.Name))}).");
        }

        var layers = layerDepth.Keys.OrderByDescending(l => layerDepth[l]).ThenBy(l => discovery[l]).ToArray();
        foreach (var group in layers.GroupBy(l => l.Name).Where(g => g.Count() > 1))
            throw new ArgumentException($"Model '{model}': the name \"{group.Key}\" is used by {group.Count()} layers; every layer of a model needs its own name.");

        var nodes = new HashSet<Node>(nodeDepth.Keys);
        bool sequentialLike = nodeDepth.GroupBy(p => p.Value).All(g => g.Count() == 1 && g.First().Key.Inputs.Length <= 1)
            && layers.All(l => l.InboundNodes.Count(nodes.Contains) <= 1);
        return new GraphTopology([.. order.Where(n => !n.IsInput)], layers, nodes, sequentialLike);
    }

    /// <summary>
    /// Depth-first from each output in turn, each call's inputs in order: the calls in post-order (each after its
    /// inputs), and for each layer the position at which the walk first met it.
    /// </summary>
    private static (List<Node> Order, Dictionary<Layer, int> Discovery) Walk(SymbolicTensor[] outputs)
    {
        var order = new List<Node>();
        var discovery = new Dictionary<Layer, int>();
        var finished = new HashSet<Node>();
        // An explicit stack: a deep network (thousands of layers) would overflow a recursive walk.
        var stack = new Stack<(Node Node, int Next)>();
        foreach (var output in outputs)
        {
            stack.Push((output.Node, 0));
            while (stack.TryPop(out var top))
            {
                var (node, next) = top;
                if (next == 0)
                {
                    if (finished.Contains(node)) continue;
                    discovery.TryAdd(node.Origin, discovery.Count);
                }
                if (next < node.Inputs.Length)
                {
                    stack.Push((node, next + 1));
                    var parent = node.Inputs[next].Node;
                    if (!finished.Contains(parent)) stack.Push((parent, 0));
                }
                else if (finished.Add(node))
                {
                    order.Add(node);
                }
            }
        }
        return (order, discovery);
    }

    /// <summary>
    /// Each call's depth (0 for an output; otherwise one more than the deepest call that reads it) and each layer's
    /// (its deepest call's, so a shared layer sits above all its uses), computed from the outputs back.
    /// </summary>
    private static (Dictionary<Node, int> Nodes, Dictionary<Layer, int> Layers) Depths(List<Node> order)
    {
        var nodeDepth = new Dictionary<Node, int>();
        var layerDepth = new Dictionary<Layer, int>();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            int depth = Math.Max(nodeDepth.GetValueOrDefault(node), layerDepth.GetValueOrDefault(node.Origin));
            layerDepth[node.Origin] = depth;
            nodeDepth[node] = depth;
            foreach (var input in node.Inputs)
                nodeDepth[input.Node] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(input.Node));
        }
        return (nodeDepth, layerDepth);
    }
}
