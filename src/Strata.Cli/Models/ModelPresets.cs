using Strata.Layers;

namespace Strata.Cli.Models;

/// <summary>A named architecture for 28×28 greyscale images in ten classes.</summary>
/// <param name="Name">What <c>--model</c> accepts.</param>
/// <param name="Description">One line for the help text.</param>
/// <param name="Layers">Makes a fresh set of layers (a layer belongs to one model).</param>
internal sealed record ModelPreset(string Name, string Description, Func<Layer[]> Layers);

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
}
