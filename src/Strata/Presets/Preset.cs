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
    internal Func<Shape, ModelTarget, Layer[]> Layers { get; init; } = null!;

    /// <summary>True for the presets that need an image (height, width) or (height, width, channels).</summary>
    public bool NeedsImages { get; init; }

    /// <summary>A new, unbuilt model for inputs of <paramref name="inputShape"/> (per sample) and the given target.</summary>
    /// <exception cref="ArgumentException">The preset cannot take that input (a CNN given a table); the message says which it needs.</exception>
    public Sequential Create(Shape inputShape, ModelTarget target, int seed)
    {
        if (NeedsImages && inputShape.Rank is not (2 or 3))
            throw new ArgumentException($"The '{Name}' preset needs images, (height, width) or (height, width, channels) per sample; the data is {inputShape.ToBatchString()}.");
        return new Sequential(Layers(inputShape, target)) { Name = Name, Seed = seed };
    }
}
