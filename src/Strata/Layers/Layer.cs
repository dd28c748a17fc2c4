using System.Collections.Concurrent;

namespace Strata.Layers;

/// <summary>
/// A layer of a <see cref="Model"/>: a <see cref="Sequential"/> stack, or a graph built by <see cref="Call"/>. The contract:
/// the constructor records configuration only; <see cref="Build"/> creates the weights once and returns the
/// output shape; <see cref="Forward"/> caches what <see cref="Backward"/> needs; <see cref="Backward"/> returns
/// dX and ACCUMULATES into the weights' gradients (the model zeroes them at the start of each step).
/// Shapes given to and returned by <see cref="Build"/> leave out the batch dimension.
/// </summary>
public abstract partial class Layer
{
    private static readonly ConcurrentDictionary<string, int> s_nameCounters = new();
    private readonly List<Weight> _weights = [];
    private readonly List<Initializer> _initializers = [];

    /// <param name="name">Keras-style name; by default the snake_case type name, numbered from the second instance on.</param>
    /// <param name="inputShape">The per-sample input shape, for the first layer of a model.</param>
    protected Layer(string? name, int[]? inputShape)
    {
        Name = name ?? AutoName(KerasTypeName);
        DeclaredInputShape = inputShape is null ? default(Shape?) : new Shape(inputShape);
    }

    /// <summary>The layer's name, unique within a process unless given explicitly.</summary>
    public string Name { get; }

    /// <summary>Keras's class name, shown in summaries (<c>Dense</c>).</summary>
    public string TypeName => GetType().Name;

    /// <summary>The per-sample input shape given to the constructor, if any.</summary>
    public Shape? DeclaredInputShape { get; }

    /// <summary>True once <see cref="Build"/> ran.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The per-sample input shape the layer was built for.</summary>
    public Shape InputShape { get; private set; }

    /// <summary>The per-sample output shape.</summary>
    public Shape OutputShape { get; private set; }

    /// <summary>
    /// When false, the optimizer leaves this layer's weights alone and they count as non-trainable (Keras's
    /// <c>trainable</c>). It may change after compiling (freezing a reused network, then unfreezing it): the model's next
    /// training step takes the new set of trainable weights, keeping the optimizer's state of each weight.
    /// </summary>
    public bool Trainable
    {
        get;
        set
        {
            if (field == value) return;
            field = value;
            Interlocked.Increment(ref s_trainableChanges);
            OnTrainableChanged();
        }
    } = true;

    /// <summary>
    /// The factor on the optimizer's learning rate for this layer's weights (1 by default): each update of them uses
    /// η·multiplier for η, from the optimizer's rate or schedule of the step, and every optimizer's state (momentum,
    /// moments) is kept as usual. Fine-tuning a reused network at a lower rate than its new head is
    /// <c>model.SetLearningRateMultiplier(..^1, 0.1f)</c>. 0 keeps the weights fixed but still trainable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public float LearningRateMultiplier
    {
        get;
        set
        {
            if (!(value >= 0) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Layer '{Name}': the learning-rate multiplier must be finite and not negative.");
            field = value;
            foreach (var weight in _weights) weight.LearningRateScale = value;
        }
    } = 1f;

    /// <summary>
    /// Whether a training forward pass computes what an inference pass does and changes no state (true but for
    /// Batch Normalization on batch statistics and an unfrozen random layer), so that the outputs of a frozen run of
    /// such layers may be computed once for a whole dataset.
    /// </summary>
    internal virtual bool TrainingPassIsInference => true;

    /// <summary>Called after <see cref="Trainable"/> changed, for a layer whose behaviour follows it.</summary>
    protected virtual void OnTrainableChanged() { }

    private static int s_trainableChanges;

    /// <summary>Counts every change of any layer's <see cref="Trainable"/>, so a model sees at a glance whether to look again.</summary>
    internal static int TrainableChanges => Volatile.Read(ref s_trainableChanges);

    private readonly List<WeakReference<Model>> _models = [];

    /// <summary>Records that <paramref name="model"/> is built with this layer (models that no longer exist are forgotten).</summary>
    internal void JoinModel(Model model)
    {
        lock (_models)
        {
            _models.RemoveAll(r => !r.TryGetTarget(out var m) || ReferenceEquals(m, model));
            _models.Add(new WeakReference<Model>(model));
        }
    }

    /// <summary>The other built models that hold this very layer object (and so its weights), by name.</summary>
    internal string[] OtherModels(Model model)
    {
        lock (_models)
        {
            var names = new List<string>();
            foreach (var r in _models)
                if (r.TryGetTarget(out var m) && !ReferenceEquals(m, model)) names.Add(m.Name);
            return [.. names];
        }
    }

    /// <summary>Every weight, in creation order (Keras's <c>weights</c>).</summary>
    public IReadOnlyList<Weight> Weights => _weights;

    /// <summary>The weights an optimizer updates.</summary>
    public IEnumerable<Weight> TrainableWeights => Trainable ? _weights.Where(w => w.Trainable) : [];

    /// <summary>The weights an optimizer never updates (moving statistics, or everything of a frozen layer).</summary>
    public IEnumerable<Weight> NonTrainableWeights => Trainable ? _weights.Where(w => !w.Trainable) : _weights;

    /// <summary>Number of scalars in all weights.</summary>
    public int CountParams() => _weights.Sum(w => w.Size);

    /// <summary>
    /// False when nothing needs dX (the first layer of a model), so Backward may skip computing it and return an empty tensor.
    /// </summary>
    internal bool NeedsInputGradient { get; set; } = true;

    /// <summary>What Backward returns when <see cref="NeedsInputGradient"/> is false.</summary>
    protected static Tensor NoGradient { get; } = new(new Shape(0));

    /// <summary>
    /// Undoes what the last training forward pass changed besides its outputs (BatchNormalization's moving
    /// statistics), for a step the model skips or an optimizer refuses: such a step must leave every weight and
    /// statistic as it was. Calling it again, or without a training pass since, does nothing.
    /// </summary>
    internal virtual void AbandonStep() { }

    /// <summary>
    /// A new, unbuilt layer with the same configuration and name (a shared layer's twin, a derived inference model's
    /// layer), made from the layer's configuration.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer type Strata has no configuration for (one not in <see cref="Serialization.LayerRegistry"/>).</exception>
    internal Layer CloneConfiguration() => Serialization.LayerConfig.Clone(this);

    /// <summary>
    /// Writes the layer's own settings, Keras's <c>get_config</c> less the name, <c>trainable</c> and input shape that
    /// every layer has; its type reads them back with <see cref="Serialization.IConfigurableLayer.FromConfig"/>. A layer
    /// without settings of its own writes nothing.
    /// </summary>
    internal virtual void WriteConfig(Serialization.LayerConfigWriter config) { }

    /// <summary>Creates the weights for a per-sample input shape and returns the per-sample output shape.</summary>
    /// <exception cref="ArgumentException">The shape does not suit the layer; the message names the layer and both shapes.</exception>
    public Shape Build(Shape inputShape, Random? random = null)
    {
        if (IsBuilt)
        {
            if (inputShape != InputShape)
                throw new ArgumentException($"Layer '{Name}' was built for input {InputShape.ToBatchString()} and cannot take {inputShape.ToBatchString()}.");
            return OutputShape;
        }
        if (DeclaredInputShape is { } declared && declared != inputShape)
            throw new ArgumentException($"Layer '{Name}' declares input {declared.ToBatchString()} but receives {inputShape.ToBatchString()}.");
        MarkBuilt(inputShape, OnBuild(inputShape, random ?? new Random()));
        return OutputShape;
    }

    /// <summary>Records the shapes of a finished build (a merge layer's <see cref="InputShape"/> is its first input's).</summary>
    private protected void MarkBuilt(Shape inputShape, Shape outputShape)
    {
        InputShape = inputShape;
        OutputShape = outputShape;
        IsBuilt = true;
    }

    /// <summary>Validates the input shape, creates weights through <see cref="AddWeight"/>, returns the output shape.</summary>
    protected abstract Shape OnBuild(Shape inputShape, Random random);

    /// <summary>Computes the output for a batch; with <paramref name="training"/> it caches what Backward needs.</summary>
    public abstract Tensor Forward(Tensor x, bool training);

    /// <summary>Given dL/dY of the last training Forward, accumulates weight gradients and returns dL/dX.</summary>
    public abstract Tensor Backward(Tensor dy);

    /// <summary>
    /// Creates a weight and fills it with its initializer; in a later call of a shared layer (<see cref="Call"/>), returns
    /// the called layer's own weight instead, so that both calls read and accumulate into one weight.
    /// </summary>
    protected Weight AddWeight(string name, Shape shape, Initializer initializer, bool trainable, Random random)
    {
        var weight = WeightSharing.Claim(this, $"{Name}/{name}", shape, trainable);
        if (weight is null)
        {
            Serialization.WeightBudget.Spend($"{Name}/{name}", shape.Size);
            weight = new Weight($"{Name}/{name}", shape, trainable) { LearningRateScale = LearningRateMultiplier };
            // A model being loaded gets every value from its file; an initializer (Orthogonal's QR is O(n³)) would be wasted.
            if (!Serialization.WeightBudget.Active) initializer.Fill(shape, random, weight.Value);
        }
        _weights.Add(weight);
        _initializers.Add(initializer);
        return weight;
    }

    /// <summary>
    /// Whether <see cref="OnBuild"/> should fill the weights it creates beyond <see cref="AddWeight"/>'s initializer:
    /// not when the values come from a file, nor when they are another call's (a shared layer).
    /// </summary>
    private protected bool FillsNewWeights => !Serialization.WeightBudget.Active && !WeightSharing.IsSharing(this);

    /// <summary>
    /// Draws every weight again from its initializer with <paramref name="random"/>, in creation order
    /// (<see cref="Model.Seed"/> of a functional model, whose layers were built, at random, when called).
    /// </summary>
    internal virtual void Reinitialize(Random random)
    {
        for (int i = 0; i < _weights.Count; i++) _initializers[i].Fill(_weights[i].Shape, random, _weights[i].Value);
    }

    /// <summary>Throws unless the layer is built and <paramref name="x"/> is a batch of its input shape.</summary>
    protected void CheckInput(Tensor x)
    {
        if (!IsBuilt)
            throw new InvalidOperationException($"Layer '{Name}' is not built; build it (or the model) before calling it.");
        if (!SameTrailing(x.Shape, InputShape))
            throw new ArgumentException($"Layer '{Name}' expects input {InputShape.ToBatchString()} but got {x.Shape}.", nameof(x));
    }

    /// <summary>Throws unless <paramref name="dy"/> matches the output of the cached forward pass.</summary>
    protected void CheckGradient(Tensor dy, Tensor? output)
    {
        if (output is null)
            throw new InvalidOperationException($"Layer '{Name}': Backward needs a Forward with training: true first.");
        if (dy.Shape != output.Shape)
            throw new ArgumentException($"Layer '{Name}': the gradient has shape {dy.Shape} but the output was {output.Shape}.", nameof(dy));
    }

    private static bool SameTrailing(Shape batched, Shape perSample)
    {
        if (batched.Rank != perSample.Rank + 1) return false;
        return batched.Dims[1..].SequenceEqual(perSample.Dims);
    }

    /// <summary>snake_case of the type name, as Keras names layers: Dense → dense, BatchNormalization → batch_normalization.</summary>
    private string KerasTypeName
    {
        get
        {
            string type = TypeName;
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < type.Length; i++)
            {
                char ch = type[i];
                if (char.IsUpper(ch) && i > 0 && char.IsLower(type[i - 1])) sb.Append('_');
                sb.Append(char.ToLowerInvariant(ch));
            }
            return sb.ToString();
        }
    }

    private static string AutoName(string prefix)
    {
        int n = s_nameCounters.AddOrUpdate(prefix, 0, (_, k) => k + 1);
        return n == 0 ? prefix : $"{prefix}_{n}";
    }

    public override string ToString() => $"{Name} ({TypeName})";
}
