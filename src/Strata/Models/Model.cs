using System.Collections.Concurrent;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata;

/// <summary>
/// A graph of layers trained end to end, with Keras's API: Compile, Fit, Evaluate, Predict, Summary, and the custom
/// loop ComputeGradients + <see cref="Optimizer.ApplyGradients"/>. A functional model is made from symbolic tensors,
/// as <c>keras.Model(inputs, outputs)</c>:
/// <code>
/// var x = Input.Of(28, 28, 1);
/// var h = new Conv2D(16, 3, activation: "relu").Call(x);
/// var y = new Dense(10, activation: "softmax").Call(new Flatten().Call(h));
/// var model = new Model(x, y) { Seed = 1 };
/// </code>
/// A <see cref="Sequential"/> is the special case of a chain. A step reads like llm.c's loop: zero gradients →
/// forward(training) through every call → loss and dL/dy of each output → backward through the calls in reverse → update.
/// </summary>
public partial class Model
{
    private static readonly ConcurrentDictionary<string, int> s_nameCounters = new();
    private readonly List<Layer> _layers = [];
    private readonly GraphTopology? _topology;
    private SymbolicTensor[] _inputs = [];
    private SymbolicTensor[] _outputs = [];
    private Shape[] _inputShapes = [];
    private Shape[] _outputShapes = [];
    private string[] _outputNames = [];
    private GraphExecutor? _executor;
    private ParameterSlab? _slab;
    private Gradients? _gradients;
    private Tensor?[] _dOutputs = [];
    private double[] _weightSumsOfSquares = [];

    /// <summary>A model from a model input to an output computed from it (<see cref="Input.Of(int[])"/>, <see cref="Layer.Call"/>).</summary>
    /// <exception cref="ArgumentException">The output is not computed from the input alone, or two layers share a name.</exception>
    public Model(SymbolicTensor input, SymbolicTensor output) : this([input], [output]) { }

    /// <summary>
    /// A model with several inputs or outputs (Keras's <c>Model([x1, x2], [y1, y2])</c>): Fit, Evaluate and Predict then
    /// take one tensor per input and per output, in this order.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An input is not a model input or is given twice, an output needs an input not given, or two layers share a name.
    /// </exception>
    public Model(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs) : this("functional")
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0 || outputs.Count == 0)
            throw new ArgumentException($"Model '{Name}' needs at least one input and one output; got {inputs.Count} and {outputs.Count}.");
        foreach (var t in inputs) ArgumentNullException.ThrowIfNull(t, nameof(inputs));
        foreach (var t in outputs) ArgumentNullException.ThrowIfNull(t, nameof(outputs));
        _topology = GraphTopology.Map([.. inputs], [.. outputs], Name);
        _layers.AddRange(_topology.Layers);
        SetGraph([.. inputs], [.. outputs], _topology.Order);
    }

    /// <summary>An empty model whose graph a subclass sets later (<see cref="SetGraph"/>).</summary>
    private protected Model(string namePrefix)
    {
        int n = s_nameCounters.AddOrUpdate(namePrefix, 0, (_, k) => k + 1);
        Name = n == 0 ? namePrefix : $"{namePrefix}_{n}";
    }

    /// <summary>The model's name, shown by <see cref="Summary"/>.</summary>
    public string Name { get; init; }

    /// <summary>
    /// Seed for the initial weights; null draws them at random. A <see cref="Sequential"/> draws its weights when it is
    /// built. A functional model's layers were built, at random, when called: setting the seed draws every weight of
    /// every layer again from its initializer, in <see cref="Layers"/> order, so that the same graph with the same seed
    /// starts from the same weights (weights of layers trained elsewhere are drawn again too).
    /// </summary>
    public int? Seed
    {
        get;
        init
        {
            field = value;
            if (IsBuilt && value is int seed)
            {
                var random = new Random(seed);
                foreach (var layer in _layers) layer.Reinitialize(random);
            }
        }
    }

    /// <summary>
    /// The threads this model's kernels run on (<see cref="ComputeContext.Default"/> unless set): give a model its own
    /// <c>new ComputeContext(threads)</c> to train it beside another model, each on its own threads. Results do not
    /// depend on the thread count.
    /// </summary>
    public ComputeContext Context
    {
        get => _context;
        set => _context = value ?? throw new ArgumentNullException(nameof(value));
    }

    private ComputeContext _context = ComputeContext.Default;

    /// <summary>
    /// The layers, each once: a Sequential's in order; a functional model's in Keras's order (by depth from the inputs),
    /// its <see cref="InputLayer"/>s included.
    /// </summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The layer list a subclass fills before building.</summary>
    private protected List<Layer> LayerList => _layers;

    /// <summary>True once every layer has weights.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The symbolic model inputs, once built.</summary>
    public IReadOnlyList<SymbolicTensor> Inputs => _inputs;

    /// <summary>The symbolic model outputs, once built.</summary>
    public IReadOnlyList<SymbolicTensor> Outputs => _outputs;

    /// <summary>The per-sample shape of each input, once built.</summary>
    public IReadOnlyList<Shape> InputShapes => _inputShapes;

    /// <summary>The per-sample shape of each output, once built.</summary>
    public IReadOnlyList<Shape> OutputShapes => _outputShapes;

    /// <summary>The per-sample input shape, once built (default before).</summary>
    /// <exception cref="InvalidOperationException">The model has several inputs (see <see cref="InputShapes"/>).</exception>
    public Shape InputShape => Single(_inputShapes, "inputs", nameof(InputShapes));

    /// <summary>The per-sample output shape, once built (default before).</summary>
    /// <exception cref="InvalidOperationException">The model has several outputs (see <see cref="OutputShapes"/>).</exception>
    public Shape OutputShape => Single(_outputShapes, "outputs", nameof(OutputShapes));

    /// <summary>
    /// The name of each output, its layer's (Keras's <c>output_names</c>): with several outputs, History and Evaluate
    /// report <c>{name}_loss</c> and <c>{name}_{metric}</c> for each.
    /// </summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>
    /// The names of the classes the outputs stand for, in output order (from <see cref="Data.Dataset.ClassNames"/>, say),
    /// or null. Saved with the model, so that a prediction can name its class after loading.
    /// </summary>
    public IReadOnlyList<string>? ClassNames
    {
        get;
        set => field = value is null ? null : [.. value];
    }

    /// <summary>The optimizer given to <see cref="Compile"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <see cref="Compile"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics given to <see cref="Compile"/>.</summary>
    public IReadOnlyList<Metric> CompiledMetrics { get; private set; } = [];

    /// <summary>What a training step does with a NaN or infinite loss or gradient (set by <see cref="Compile"/>).</summary>
    public NonFiniteGradients NonFiniteGradients { get; private set; }

    /// <summary>
    /// Sets the optimizer, loss and metrics for training and evaluation. A model with several outputs applies the loss
    /// to each and minimizes their sum (Keras's rule for one loss), and reports each metric for each output.
    /// </summary>
    /// <param name="optimizer">Updates the weights; it may clip (clipValue, clipNorm, globalClipNorm).</param>
    /// <param name="loss">The loss to minimize.</param>
    /// <param name="metrics">Reported by Fit and Evaluate.</param>
    /// <param name="nonFiniteGradients">Skip (default: the step is counted in History.SkippedSteps) or Throw.</param>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null,
        NonFiniteGradients nonFiniteGradients = NonFiniteGradients.Skip)
    {
        NonFiniteGradients = nonFiniteGradients;
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        Optimizer = optimizer;
        Loss = loss;
        CompiledMetrics = metrics?.ToArray() ?? [];
        BuildFromDeclaredShape();
        if (IsBuilt) PackParameters();
    }

    /// <summary>Counts the scalars in every weight, trainable or not; a shared layer's weights count once.</summary>
    public int CountParams()
    {
        BuildFromDeclaredShape();
        return _layers.Sum(l => l.CountParams());
    }

    /// <summary>
    /// Runs the model on a batch. The result is the output layer's buffer, overwritten by the next call; use
    /// <see cref="Predict(Tensor, int)"/> for a copy.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has several inputs or outputs (use the overload for arrays).</exception>
    public Tensor Forward(Tensor x, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        var inputs = new ReadOnlySpan<Tensor>(in x);
        EnsureBuilt(inputs);
        RequireSingleOutput(nameof(Forward));
        return _executor!.Forward(inputs, training)[0];
    }

    /// <summary>Runs the model on a batch of each input; returns each output (the layers' buffers, overwritten by the next call).</summary>
    public IReadOnlyList<Tensor> Forward(Tensor[] x, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureBuilt(x);
        return _executor!.Forward(x, training);
    }

    /// <summary>Builds the model when its declaration says enough (a Sequential whose first layer has an input shape).</summary>
    private protected virtual void BuildFromDeclaredShape() { }

    /// <summary>Builds a model not built yet for the shapes of its first batch (a Sequential).</summary>
    private protected virtual void BuildFor(ReadOnlySpan<Tensor> x) { }

    /// <summary>Sets the graph a model runs and creates its parameter slab: the end of building.</summary>
    private protected void SetGraph(SymbolicTensor[] inputs, SymbolicTensor[] outputs, Node[] order)
    {
        _inputs = inputs;
        _outputs = outputs;
        _inputShapes = [.. inputs.Select(t => t.Shape)];
        _outputShapes = [.. outputs.Select(t => t.Shape)];
        _outputNames = OutputNamesOf(outputs);
        _executor = new GraphExecutor(inputs, outputs, order);
        _dOutputs = new Tensor?[outputs.Length];
        _xBatches = new Tensor[inputs.Length];
        _yBatches = new Tensor[outputs.Length];
        _outputLosses = new float[outputs.Length];
        foreach (var layer in _layers) layer.JoinModel(this);
        IsBuilt = true;
        PackParameters();
    }

    /// <summary>Each output's layer name; a name taken by an earlier output gets the output's index (dense, dense_1 → dense_output_2).</summary>
    private static string[] OutputNamesOf(SymbolicTensor[] outputs)
    {
        var names = new string[outputs.Length];
        for (int j = 0; j < outputs.Length; j++)
        {
            string name = outputs[j].Layer.Name;
            names[j] = Array.IndexOf(names, name, 0, j) >= 0 ? $"{name}_output_{j}" : name;
        }
        return names;
    }

    private void PackParameters()
    {
        _executor!.Configure();
        // Each weight once: a shared layer's later calls run twins that hold the same Weight objects, and only the
        // layers themselves are listed.
        _slab = ParameterSlab.Pack(_layers.SelectMany(l => l.TrainableWeights));
        _gradients = new Gradients(_slab) { AbandonStep = AbandonStep };
        _weightSumsOfSquares = new double[_slab.Weights.Length];
        _trainableVersion = Layer.TrainableChanges;
        MapGradientLayers();
        ResolveReports();
    }

    private int _trainableVersion;

    /// <summary>
    /// Takes a change of any layer's <see cref="Layer.Trainable"/> since the weights were packed (freezing or unfreezing
    /// after Compile, which Keras ignores until a recompile): a shared layer's twins follow their layer, the weights are
    /// packed again when the trainable set differs, and the optimizer moves its state with them, a frozen weight's
    /// state kept for when it is unfrozen. One integer comparison when nothing changed; the counter is every model's,
    /// so a change elsewhere costs a scan of this model's weights, which allocates nothing.
    /// </summary>
    private void FollowTrainable()
    {
        if (Layer.TrainableChanges == _trainableVersion) return;
        var nodes = Nodes;
        for (int i = 0; i < nodes.Count; i++)
            if (!ReferenceEquals(nodes[i].Layer, nodes[i].Origin)) nodes[i].Layer.Trainable = nodes[i].Origin.Trainable;
        _trainableVersion = Layer.TrainableChanges;
        var packed = _slab!;
        if (PackedAreTrainable(packed)) return;
        // A run's gradient records have a column for every weight that can train, so a new set mid-Fit keeps them.
        PackParameters();
        Optimizer?.Rebind(packed, _slab!);
    }

    /// <summary>Whether the slab holds exactly the trainable weights, in model order (index loops: no enumerator is allocated).</summary>
    private bool PackedAreTrainable(ParameterSlab packed)
    {
        int k = 0;
        for (int l = 0; l < _layers.Count; l++)
        {
            var layer = _layers[l];
            if (!layer.Trainable) continue;
            var weights = layer.Weights;
            for (int i = 0; i < weights.Count; i++)
            {
                if (!weights[i].Trainable) continue;
                if (k >= packed.Weights.Length || !ReferenceEquals(packed.Weights[k++], weights[i])) return false;
            }
        }
        return k == packed.Weights.Length;
    }

    /// <summary>
    /// Makes ComputeGradients carry dL/dx down to the model inputs (<see cref="InputGradient"/>): for gradient checks,
    /// and saliency. Off by default, when the first layers skip dX.
    /// </summary>
    internal bool ComputesInputGradients
    {
        get => _executor?.WantsInputGradients ?? false;
        set
        {
            var executor = _executor ?? throw new InvalidOperationException($"Model '{Name}' is not built.");
            executor.WantsInputGradients = value;
            executor.Configure();
        }
    }

    /// <summary>dL/dx of input <paramref name="input"/> in the last ComputeGradients, with <see cref="ComputesInputGradients"/>.</summary>
    internal Tensor? InputGradient(int input) => _executor?.InputGradient(input);

    /// <summary>A functional model's graph structure; null for a Sequential.</summary>
    internal GraphTopology? Topology => _topology;

    /// <summary>The calls the model runs, in order (empty before it is built).</summary>
    internal IReadOnlyList<Node> Nodes => _executor?.Nodes ?? [];

    /// <summary>The trainable weights' slab (for the optimizer state of a saved model).</summary>
    internal ParameterSlab Slab => _slab ?? throw new InvalidOperationException($"Model '{Name}' is not built.");

    private void EnsureBuilt(ReadOnlySpan<Tensor> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(x[i], nameof(x));
            if (x[i].Shape.Rank < 1)
                throw new ArgumentException($"Model '{Name}' takes a batch with a leading sample axis; got shape {x[i].Shape}.", nameof(x));
        }
        if (!IsBuilt) BuildFor(x);
        if (x.Length != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' has {_inputs.Length} input(s); it was given {x.Length} tensor(s).", nameof(x));
    }

    private void RequireSingleOutput(string method)
    {
        if (_outputs.Length != 1)
            throw new InvalidOperationException($"Model '{Name}' has {_outputs.Length} outputs; {method} with one tensor returns one. Use the overload for arrays.");
    }

    private Shape Single(Shape[] shapes, string what, string plural)
    {
        if (shapes.Length > 1)
            throw new InvalidOperationException($"Model '{Name}' has {shapes.Length} {what}; see {plural}.");
        return shapes.Length == 0 ? default : shapes[0];
    }

    public override string ToString() => $"{Name} ({GetType().Name})";
}
