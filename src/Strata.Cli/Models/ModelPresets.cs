using Strata.Layers;

namespace Strata.Cli.Models;

/// <summary>A named architecture for 28×28 greyscale images in ten classes.</summary>
/// <param name="Name">What <c>--model</c> accepts.</param>
/// <param name="Description">One line for the help text.</param>
/// <param name="Layers">Makes a fresh set of layers (a layer belongs to one model).</param>
/// <param name="Optimizer">The optimizer <c>strata train</c> uses unless <c>--optimizer</c> says otherwise.</param>
/// <param name="LearningRate">Its learning rate unless <c>--learning-rate</c> says otherwise.</param>
internal sealed record ModelPreset(string Name, string Description, Func<Layer[]> Layers, string Optimizer = "sgd", float LearningRate = 0.01f);

/// <summary>
/// The architectures <c>strata train --model</c> can build. To add one, write a method returning its layers and
/// list it in <see cref="All"/>.
/// </summary>
internal static class ModelPresets
{
    /// <summary>The preset used when <c>--model</c> is not given.</summary>
    public const string Default = "mlp-bn";

    /// <summary>Every preset, in the order the help lists them.</summary>
    public static IReadOnlyList<ModelPreset> All { get; } =
    [
        new("mlp", "Flatten → Dense(300, elu) → Dense(100, elu) → Dense(10, softmax), He-normal kernels", Mlp),
        new("mlp-bn", "the mlp with BatchNormalization after Flatten and after each hidden Dense", MlpBatchNorm),
        new("mlp-bn-before-activation", "Dense without bias → BatchNormalization → Activation(elu), twice, then Dense(10, softmax)", MlpBatchNormBeforeActivation),
        // The CNN trains with Adam at Keras's default rate, the usual choice for it in the texts.
        new("cnn-bn", "two Conv2D → BatchNormalization → ReLU → MaxPooling2D blocks (32 and 64 filters), Dense(128) → BN → ReLU → Dropout(0.3) → Dense(10, softmax); Adam 0.001",
            CnnBatchNorm, Optimizer: "adam", LearningRate: 0.001f),
    ];

    /// <summary>The preset names, comma-separated, for help and error messages.</summary>
    public static string NameList => string.Join(", ", All.Select(p => p.Name));

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelPreset? Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A new, unbuilt model of the preset, its weights drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists them.</exception>
    public static Sequential Create(string name, int seed)
    {
        var preset = Find(name) ?? throw new ArgumentException(UnknownMessage(name), nameof(name));
        return new Sequential(preset.Layers()) { Name = preset.Name, Seed = seed };
    }

    /// <summary>"Unknown model 'x'; the presets are: mlp."</summary>
    public static string UnknownMessage(string? name) => $"Unknown model '{name}'; the presets are: {NameList}.";

    private static Layer[] Mlp() =>
    [
        new Flatten(inputShape: [28, 28]),
        new Dense(300, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new Dense(100, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new Dense(10, activation: Activations.Softmax),
    ];

    /// <summary>The texts' BN network: BN after the input and after each hidden layer's activation.</summary>
    private static Layer[] MlpBatchNorm() =>
    [
        new Flatten(inputShape: [28, 28]),
        new BatchNormalization(),
        new Dense(300, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Dense(100, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Dense(10, activation: Activations.Softmax),
    ];

    /// <summary>BN between each hidden Dense and its activation; the Dense drops its bias, which BN's β replaces.</summary>
    private static Layer[] MlpBatchNormBeforeActivation() =>
    [
        new Flatten(inputShape: [28, 28]),
        new BatchNormalization(),
        new Dense(300, useBias: false, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Elu),
        new Dense(100, useBias: false, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Elu),
        new Dense(10, activation: Activations.Softmax),
    ];

    /// <summary>The texts' conv → BN → ReLU → max-pool blocks; BN after Conv2D normalizes each channel over N, H and W.</summary>
    private static Layer[] CnnBatchNorm() =>
    [
        new Reshape([28, 28, 1], inputShape: [28, 28]),
        new Conv2D(32, 3, padding: "same", kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Relu),
        new MaxPooling2D(2),
        new Conv2D(64, 3, padding: "same", kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Relu),
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(128, useBias: false, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Relu),
        new Dropout(0.3f, seed: 42),
        new Dense(10, activation: Activations.Softmax),
    ];
}
