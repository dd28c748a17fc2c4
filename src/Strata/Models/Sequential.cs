using Strata.Layers;

namespace Strata;

/// <summary>
/// A stack of layers, each taking the previous one's output: the special case of <see cref="Model"/> that Keras's
/// <c>Sequential</c> is. It is built, for the first layer's declared input shape or for the first batch's, as a chain of
/// calls that runs through the same code as any graph; the layers are not registered as called, so a layer of a
/// Sequential can still be the first call of a functional model.
/// </summary>
public sealed partial class Sequential : Model
{
    /// <summary>A model of the given layers, in order.</summary>
    public Sequential(params Layer[] layers) : base("sequential")
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer (before the model is built).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (IsBuilt) throw new InvalidOperationException($"Model '{Name}' is built; layers cannot be added any more.");
        if (LayerList.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.", nameof(layer));
        LayerList.Add(layer);
    }

    /// <summary>Builds every layer for a per-sample input shape, creating the weights from <see cref="Model.Seed"/>.</summary>
    public void Build(Shape inputShape)
    {
        if (IsBuilt)
        {
            if (inputShape != InputShape)
                throw new ArgumentException($"Model '{Name}' was built for input {InputShape.ToBatchString()}, not {inputShape.ToBatchString()}.");
            return;
        }
        var layers = LayerList;
        if (layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        var random = Seed is int seed ? new Random(seed) : new Random();
        var input = Input.Of(inputShape, "input_layer");
        var chain = new Node[layers.Count];
        var h = input;
        for (int i = 0; i < layers.Count; i++)
        {
            var shape = layers[i].Build(h.Shape, random);
            chain[i] = new Node(layers[i], layers[i], 0, [h], shape);
            h = chain[i].Output;
        }
        SetGraph([input], [h], chain);
    }

    /// <summary>Builds the model when its first layer declares an input shape (Keras builds such models at once).</summary>
    private protected override void BuildFromDeclaredShape()
    {
        if (!IsBuilt && LayerList.Count > 0 && LayerList[0].DeclaredInputShape is { } declared) Build(declared);
    }

    private protected override void BuildFor(ReadOnlySpan<Tensor> x) =>
        Build(LayerList.Count > 0 && LayerList[0].DeclaredInputShape is { } declared ? declared : x[0].Shape.WithoutBatch());

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
        if (x.Shape.Rank < 1)
            throw new ArgumentException($"Model '{Name}' takes a batch with a leading sample axis; got shape {x.Shape}.", nameof(x));
        if (!IsBuilt) BuildFor(new ReadOnlySpan<Tensor>(in x));
        int adapted = 0;
        var layers = LayerList;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not Normalization { HasStatistics: false } normalization) continue;
            normalization.Adapt(i == 0 ? x : ForwardThrough(x, i, batchSize));
            adapted++;
        }
        return adapted;
    }

    /// <summary>The output of the first <paramref name="count"/> layers for every sample, in inference mode.</summary>
    private Tensor ForwardThrough(Tensor x, int count, int batchSize)
    {
        var layers = LayerList;
        int n = x.Shape[0];
        var shape = layers[count - 1].OutputShape;
        var result = new Tensor(shape.WithBatch(n));
        Tensor? xb = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int rows = Math.Min(batchSize, n - start);
            var h = Gather(x, [], start, rows, WithBatch(x, rows), ref xb);
            for (int l = 0; l < count; l++) h = layers[l].Forward(h, training: false);
            h.Span.CopyTo(result.Span.Slice(start * shape.Size, rows * shape.Size));
        }
        return result;
    }
}
