using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata;

/// <summary>
/// A stack of layers trained end to end, with Keras's API: Compile, Fit, Evaluate, Predict, Summary, and the
/// custom loop ComputeGradients + <see cref="Optimizer.ApplyGradients"/>. A step reads like llm.c's loop:
/// zero gradients → forward(training) → loss and dL/dy → backward through the layers → update.
/// </summary>
public sealed partial class Sequential
{
    private static int s_modelCount = -1;
    private readonly List<Layer> _layers = [];
    private ParameterSlab? _slab;
    private Gradients? _gradients;
    private Tensor? _dOutput, _xBatch, _yBatch;
    private double[] _weightSumsOfSquares = [];

    /// <summary>A model of the given layers, in order.</summary>
    public Sequential(params Layer[] layers)
    {
        int n = Interlocked.Increment(ref s_modelCount);
        Name = n == 0 ? "sequential" : $"sequential_{n}";
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>The model's name, shown by <see cref="Summary"/>.</summary>
    public string Name { get; init; }

    /// <summary>Seed for the initial weights; null draws one at random.</summary>
    public int? Seed { get; init; }

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

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>True once every layer has weights.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The per-sample input shape, once built.</summary>
    public Shape InputShape { get; private set; }

    /// <summary>The per-sample output shape, once built.</summary>
    public Shape OutputShape { get; private set; }

    /// <summary>The optimizer given to <see cref="Compile"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <see cref="Compile"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics given to <see cref="Compile"/>.</summary>
    public IReadOnlyList<Metric> CompiledMetrics { get; private set; } = [];

    /// <summary>Appends a layer (before the model is built).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (IsBuilt) throw new InvalidOperationException($"Model '{Name}' is built; layers cannot be added any more.");
        if (_layers.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.", nameof(layer));
        _layers.Add(layer);
    }

    /// <summary>Builds every layer for a per-sample input shape, creating the weights from <see cref="Seed"/>.</summary>
    public void Build(Shape inputShape)
    {
        if (IsBuilt)
        {
            if (inputShape != InputShape)
                throw new ArgumentException($"Model '{Name}' was built for input {InputShape.ToBatchString()}, not {inputShape.ToBatchString()}.");
            return;
        }
        if (_layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        var random = Seed is int seed ? new Random(seed) : new Random();
        Shape shape = inputShape;
        foreach (var layer in _layers) shape = layer.Build(shape, random);
        InputShape = inputShape;
        OutputShape = shape;
        IsBuilt = true;
        PackParameters();
    }

    /// <summary>What a training step does with a NaN or infinite loss or gradient (set by <see cref="Compile"/>).</summary>
    public NonFiniteGradients NonFiniteGradients { get; private set; }

    /// <summary>Sets the optimizer, loss and metrics for training and evaluation.</summary>
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

    /// <summary>
    /// Runs the layers on a batch. The result is the last layer's buffer, overwritten by the next call;
    /// use <see cref="Predict"/> for a copy.
    /// </summary>
    public Tensor Forward(Tensor x, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureBuilt(x);
        foreach (var layer in _layers) x = layer.Forward(x, training);
        return x;
    }

    /// <summary>
    /// Forward in training mode on one batch, then backward: returns each trainable weight's gradient of the
    /// mean loss (the custom loop's first step). Nothing is updated.
    /// </summary>
    public Gradients ComputeGradients(Tensor x, Tensor y)
    {
        RequireCompiled();
        CheckPair(x, y);
        using var context = Context.Enter();
        var gradients = _gradients!;
        gradients.Context = Context;
        gradients.Loss = ForwardBackward(x, y, out _);
        return gradients;
    }

    /// <summary>
    /// One training step on one batch; returns its mean loss. A non-finite loss or gradient skips the update; the
    /// overload with <c>out bool skipped</c> tells when.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y) => TrainOnBatch(x, y, out _);

    /// <summary>
    /// One training step on one batch; returns its mean loss, and in <paramref name="skipped"/> whether the update was
    /// skipped because the loss or a gradient was not finite — the weights, moving statistics and optimizer state are
    /// then as they were, as in a step <see cref="Fit"/> counts in <see cref="History.SkippedSteps"/>. A returned
    /// non-finite loss always means a skipped step, but a finite loss can be skipped too (an overflowing gradient).
    /// Compiled with <see cref="NonFiniteGradients.Throw"/>, such a step throws instead.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y, out bool skipped)
    {
        RequireCompiled();
        CheckPair(x, y);
        using var context = Context.Enter();
        return TrainStep(x, y, out _, out skipped);
    }

    /// <summary>
    /// Adapts every <see cref="Normalization"/> layer that has no statistics yet to <paramref name="x"/> (the training
    /// inputs), in order, each on the data as the layers before it pass it on in inference mode: Keras's
    /// <c>layer.adapt(data)</c> for a whole model. Returns how many layers were adapted.
    /// </summary>
    public int Adapt(Tensor x, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var context = Context.Enter();
        EnsureBuilt(x);
        int adapted = 0;
        for (int i = 0; i < _layers.Count; i++)
        {
            if (_layers[i] is not Normalization { HasStatistics: false } normalization) continue;
            normalization.Adapt(i == 0 ? x : ForwardThrough(x, i, batchSize));
            adapted++;
        }
        return adapted;
    }

    /// <summary>The output of the first <paramref name="count"/> layers for every sample, in inference mode.</summary>
    private Tensor ForwardThrough(Tensor x, int count, int batchSize)
    {
        int n = x.Shape[0];
        var shape = _layers[count - 1].OutputShape;
        var result = new Tensor(shape.WithBatch(n));
        Tensor? xb = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int rows = Math.Min(batchSize, n - start);
            var h = Gather(x, [], start, rows, WithBatch(x, rows), ref xb);
            for (int l = 0; l < count; l++) h = _layers[l].Forward(h, training: false);
            h.Span.CopyTo(result.Span.Slice(start * shape.Size, rows * shape.Size));
        }
        return result;
    }

    /// <summary>Counts the scalars in every weight, trainable or not.</summary>
    public int CountParams()
    {
        BuildFromDeclaredShape();
        return _layers.Sum(l => l.CountParams());
    }

    /// <summary>Builds the model when its first layer declares an input shape (Keras builds such models at once).</summary>
    private void BuildFromDeclaredShape()
    {
        if (!IsBuilt && _layers.Count > 0 && _layers[0].DeclaredInputShape is { } declared) Build(declared);
    }

    private float TrainStep(Tensor x, Tensor y, out Tensor output, out bool skipped)
    {
        float loss = ForwardBackward(x, y, out output);
        // A NaN or ∞ anywhere in the gradients would spread into every weight it touches: skip the update.
        // The same pass gives each weight's gradient norm before clipping, which Fit records.
        double sumOfSquares = _slab!.GradientSumOfSquares(_weightSumsOfSquares);
        LastGradientNorm = Math.Sqrt(sumOfSquares);
        skipped = !float.IsFinite(loss) || !double.IsFinite(sumOfSquares) || !Optimizer!.Apply(_gradients!, sumOfSquares);
        if (skipped) AbandonStep();
        if (skipped && NonFiniteGradients == NonFiniteGradients.Throw)
        {
            throw new NonFiniteGradientException(
                $"Model '{Name}': the loss ({loss}) or the gradients (global norm {Math.Sqrt(sumOfSquares)}) are not finite; the weights were left unchanged. A lower learning rate or gradient clipping usually helps.");
        }
        return loss;
    }

    /// <summary>Undoes the state changes of the last training pass (moving statistics) for a step that was not applied.</summary>
    private void AbandonStep()
    {
        foreach (var layer in _layers) layer.AbandonStep();
    }

    private float ForwardBackward(Tensor x, Tensor y, out Tensor output)
    {
        _slab!.ZeroGradients();
        output = Forward(x, training: true);
        var dOutput = Tensor.Ensure(ref _dOutput, output.Shape);
        float loss;
        Tensor gradient;
        int last = _layers.Count - 1;
        if (FusedOutput() is { } fused)
        {
            loss = Loss!.ComputeFromLogits(fused.Logits, output, y, dOutput.Span);
            gradient = fused.BackwardFromLogits(dOutput);
        }
        else
        {
            loss = Loss!.Compute(output, y, dOutput.Span);
            gradient = _layers[last].Backward(dOutput);
        }
        // Stop where no layer below has anything to learn.
        for (int i = last - 1; i >= 0 && _layers[i + 1].NeedsInputGradient; i--) gradient = _layers[i].Backward(gradient);
        return loss;
    }

    /// <summary>Mean loss of a batch in inference mode, computed the same way as in training.</summary>
    private float BatchLoss(Tensor output, Tensor y)
    {
        if (FusedOutput() is { } fused) return Loss!.ComputeFromLogits(fused.Logits, output, y, []);
        return Loss!.Compute(output, y, []);
    }

    /// <summary>The last layer when the loss fuses with its activation (softmax with cross-entropy, sigmoid with binary cross-entropy).</summary>
    private ILogitsOutput? FusedOutput() =>
        _layers[^1] is ILogitsOutput output && Loss!.FusesWith(output.OutputActivation) ? output : null;

    /// <summary>‖g‖₂ over all gradients of the last training step, before clipping.</summary>
    internal double LastGradientNorm { get; private set; }

    /// <summary>Each trainable weight's ‖g‖₂ in the last training step, before clipping, in model order.</summary>
    internal ReadOnlySpan<double> LastWeightSumsOfSquares => _weightSumsOfSquares;

    private void PackParameters()
    {
        // dL/dx is needed only above the first layer that has trainable weights: Flatten → Dense skips the
        // largest product of the backward pass, dX = dZ·Wᵀ of the first Dense.
        bool below = false;
        foreach (var layer in _layers)
        {
            layer.NeedsInputGradient = below;
            below |= layer.TrainableWeights.Any();
        }
        _slab = ParameterSlab.Pack(_layers.SelectMany(l => l.TrainableWeights));
        _gradients = new Gradients(_slab) { AbandonStep = AbandonStep };
        _weightSumsOfSquares = new double[_slab.Weights.Length];
    }

    private void EnsureBuilt(Tensor x)
    {
        if (x.Shape.Rank < 1)
            throw new ArgumentException($"Model '{Name}' takes a batch with a leading sample axis; got shape {x.Shape}.", nameof(x));
        if (!IsBuilt)
        {
            Build(_layers.Count > 0 && _layers[0].DeclaredInputShape is { } declared ? declared : x.Shape.WithoutBatch());
        }
    }

    private void RequireCompiled()
    {
        if (Optimizer is null || Loss is null)
            throw new InvalidOperationException($"Model '{Name}' must be compiled (Compile(optimizer, loss)) before training or evaluation.");
    }

    private void CheckPair(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        EnsureBuilt(x);
        if (y.Shape.Rank < 1 || x.Shape[0] != y.Shape[0])
            throw new ArgumentException($"Model '{Name}': inputs {x.Shape} and targets {y.Shape} must have the same number of samples.");
        if (x.Shape[0] == 0) throw new ArgumentException($"Model '{Name}': the batch is empty.", nameof(x));
        Loss?.CheckOutput(OutputShape, x.Shape[0], y.Shape);
        for (int m = 0; m < CompiledMetrics.Count; m++) CompiledMetrics[m].CheckOutput(OutputShape, x.Shape[0], y.Shape);
        RequireFinite(x, "input");
        RequireFinite(y, "target");
        if (Loss is { SparseTargets: true }) RequireClassIndices(y);
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

    /// <summary>Refuses a label that is not a class index of the output, naming the sample, before any state changes.</summary>
    private void RequireClassIndices(Tensor y)
    {
        int classes = OutputShape[^1];
        var labels = y.Span;
        for (int i = 0; i < labels.Length; i++)
        {
            float v = labels[i];
            if (v != (int)v || v < 0 || v >= classes)
                throw new ArgumentException($"Model '{Name}': label {v} of sample {i} is not a class index in 0..{classes - 1} of its {classes} outputs.");
        }
    }

    /// <summary>Copies samples <paramref name="indices"/> (or a contiguous range) of <paramref name="source"/> into a batch buffer.</summary>
    private static Tensor Gather(Tensor source, ReadOnlySpan<int> indices, int start, int count, Shape batchShape, ref Tensor? buffer)
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

    private static Shape WithBatch(Tensor t, int batch) => t.Shape.WithoutBatch().WithBatch(batch);

    private static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
