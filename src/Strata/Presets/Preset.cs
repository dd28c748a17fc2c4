using Strata.Layers;

namespace Strata;

/// <summary>What a model predicts, which decides its output layer and the loss it trains with.</summary>
/// <param name="Classes">Class count for classification (softmax over that many outputs, sparse cross-entropy); 0 for regression.</param>
public readonly record struct ModelTarget(int Classes)
{
    /// <summary>k classes: Dense(k, softmax), trained with sparse categorical cross-entropy on class indices.</summary>
    public static ModelTarget Classification(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        return new(classes);
    }

    /// <summary>One number: Dense(1) without activation, trained with mean squared error.</summary>
    public static ModelTarget Regression { get; } = new(0);

    /// <summary>True for regression.</summary>
    public bool IsRegression => Classes == 0;

    /// <summary>The output layer.</summary>
    internal Dense OutputLayer() => IsRegression ? new Dense(1) : new Dense(Classes, activation: Activations.Softmax);

    /// <summary>The loss a preset trains with.</summary>
    public Loss Loss => IsRegression ? Losses.MeanSquaredError : Losses.SparseCategoricalCrossentropy;
}

/// <summary>
/// A named architecture from the texts, adaptable to the data: <see cref="Create"/> takes the per-sample input shape and
/// the target, so the same preset serves Fashion-MNIST's 28×28 images, an RGB image folder or (for the MLPs) a table.
/// </summary>
/// <param name="Name">What <c>strata train --model</c> accepts.</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="Optimizer">The optimizer it trains with unless told otherwise (a Keras name).</param>
/// <param name="LearningRate">Its learning rate unless told otherwise.</param>
public sealed record Preset(string Name, string Description, string Optimizer, float LearningRate)
{
    /// <summary>A sequential preset's layers, for the input shape and target (one of this and <see cref="Graph"/>).</summary>
    internal Func<Shape, ModelTarget, Layer[]>? Layers { get; init; }

    /// <summary>
    /// A functional preset's graph: the output computed from the symbolic input (a residual network), for the target.
    /// </summary>
    internal Func<SymbolicTensor, ModelTarget, SymbolicTensor>? Graph { get; init; }

    /// <summary>True for a preset that is a graph of layers (a functional <see cref="Model"/>), false for a <see cref="Sequential"/> stack.</summary>
    public bool IsFunctional => Graph is not null;

    /// <summary>True for the presets that need an image (height, width) or (height, width, channels).</summary>
    public bool NeedsImages { get; init; }

    /// <summary>
    /// True for a preset that trains with its learning rate decayed along a cosine over the whole run
    /// (<see cref="Optimizers.CosineDecay"/>, to zero at the last step), false for a constant rate.
    /// </summary>
    public bool CosineDecay { get; init; }

    /// <summary>
    /// A new model for inputs of <paramref name="inputShape"/> (per sample) and the given target, its weights drawn from
    /// <paramref name="seed"/>: a <see cref="Sequential"/> (unbuilt) for a stack of layers, a functional
    /// <see cref="Model"/> (built) for a graph (<see cref="IsFunctional"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The preset cannot take that input (a CNN given a table); the message says which it needs.</exception>
    public Model Create(Shape inputShape, ModelTarget target, int seed)
    {
        RequireInput(inputShape);
        if (Graph is { } graph)
        {
            var input = Input.Of(inputShape);
            return new Model(input, graph(input, target)) { Name = Name, Seed = seed };
        }
        return CreateSequential(inputShape, target, seed);
    }

    /// <summary>A sequential preset as its <see cref="Sequential"/> (for what takes only a stack: folding, ONNX export).</summary>
    /// <exception cref="InvalidOperationException">The preset is functional.</exception>
    public Sequential CreateSequential(Shape inputShape, ModelTarget target, int seed)
    {
        var layers = Layers ?? throw new InvalidOperationException($"The '{Name}' preset is a graph of layers (a functional Model), not a Sequential stack.");
        RequireInput(inputShape);
        return new Sequential(layers(inputShape, target)) { Name = Name, Seed = seed };
    }

    private void RequireInput(Shape inputShape)
    {
        if (NeedsImages && inputShape.Rank is not (2 or 3))
            throw new ArgumentException($"The '{Name}' preset needs images, (height, width) or (height, width, channels) per sample; the data is {inputShape.ToBatchString()}.");
    }
}
