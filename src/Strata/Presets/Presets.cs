using Strata.Layers;

namespace Strata;

/// <summary>
/// The texts' networks, ready to train: <c>Presets.MlpBn(seed: 1)</c> for Fashion-MNIST as the texts have it, or
/// <c>Presets.Get("cnn-bn").Create(inputShape, ModelTarget.Classification(5), seed)</c> for other data. To add one, write
/// a method returning its layers and list it in <see cref="All"/>.
/// </summary>
public static class Presets
{
    /// <summary>The preset <c>strata train</c> uses unless told otherwise.</summary>
    public const string Default = "mlp-bn";

    /// <summary>Fashion-MNIST's sample shape, 28×28 greyscale.</summary>
    public static Shape FashionMnistShape { get; } = new(28, 28);

    /// <summary>Every preset, in the order help texts list them.</summary>
    public static IReadOnlyList<Preset> All { get; } =
    [
        new("mlp", "Flatten → Dense(300, elu) → Dense(100, elu) → output, He-normal kernels", "sgd", 0.01f) { Layers = MlpLayers },
        new("mlp-bn", "the mlp with BatchNormalization after Flatten and after each hidden Dense", "sgd", 0.01f) { Layers = MlpBnLayers },
        new("mlp-bn-before-activation", "Dense without bias → BatchNormalization → Activation(elu), twice, then the output", "sgd", 0.01f)
            { Layers = MlpBnBeforeActivationLayers },
        // The CNN trains with Adam at Keras's default rate, the usual choice for it in the texts.
        new("cnn-bn", "two Conv2D → BatchNormalization → ReLU → MaxPooling2D blocks (32 and 64 filters), Dense(128) → BN → ReLU → Dropout(0.3) → output; Adam 0.001",
            "adam", 0.001f) { Layers = CnnBnLayers, NeedsImages = true },
        // Tabular data: standardized by a Normalization adapted on the training set (Keras's structured-data recipe).
        new("tabular", "Normalization (adapted on the training data) → Dense(64, relu) → Dense(64, relu) → output; Adam 0.001, for CSV tables",
            "adam", 0.001f) { Layers = TabularLayers },
    ];

    /// <summary>The preset names, comma-separated, for help and error messages.</summary>
    public static string NameList => string.Join(", ", All.Select(p => p.Name));

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Preset? Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists them.</exception>
    public static Preset Get(string name) => Find(name) ?? throw new ArgumentException(UnknownMessage(name), nameof(name));

    /// <summary>"Unknown model 'x'; the presets are: mlp, …."</summary>
    public static string UnknownMessage(string? name) => $"Unknown model '{name}'; the presets are: {NameList}.";

    /// <summary>A preset for Fashion-MNIST (28×28 images, ten classes), its weights drawn from <paramref name="seed"/>.</summary>
    public static Sequential Create(string name, int seed) => Get(name).Create(FashionMnistShape, ModelTarget.Classification(10), seed);

    /// <summary>The mlp for Fashion-MNIST.</summary>
    public static Sequential Mlp(int seed = 0) => Create("mlp", seed);

    /// <summary>The mlp-bn for Fashion-MNIST: the texts' BN network.</summary>
    public static Sequential MlpBn(int seed = 0) => Create("mlp-bn", seed);

    /// <summary>The mlp-bn-before-activation for Fashion-MNIST.</summary>
    public static Sequential MlpBnBeforeActivation(int seed = 0) => Create("mlp-bn-before-activation", seed);

    /// <summary>The cnn-bn for Fashion-MNIST.</summary>
    public static Sequential CnnBn(int seed = 0) => Create("cnn-bn", seed);

    private static Layer[] MlpLayers(Shape input, ModelTarget target) =>
    [
        new Flatten(inputShape: input.Dims.ToArray()),
        new Dense(300, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new Dense(100, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        target.OutputLayer(),
    ];

    /// <summary>The texts' BN network: BN after the input and after each hidden layer's activation.</summary>
    private static Layer[] MlpBnLayers(Shape input, ModelTarget target) =>
    [
        new Flatten(inputShape: input.Dims.ToArray()),
        new BatchNormalization(),
        new Dense(300, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Dense(100, activation: Activations.Elu, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        target.OutputLayer(),
    ];

    /// <summary>BN between each hidden Dense and its activation; the Dense drops its bias, which BN's β replaces.</summary>
    private static Layer[] MlpBnBeforeActivationLayers(Shape input, ModelTarget target) =>
    [
        new Flatten(inputShape: input.Dims.ToArray()),
        new BatchNormalization(),
        new Dense(300, useBias: false, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Elu),
        new Dense(100, useBias: false, kernelInitializer: Initializers.HeNormal),
        new BatchNormalization(),
        new Activation(Activations.Elu),
        target.OutputLayer(),
    ];

    /// <summary>
    /// The texts' conv → BN → ReLU → max-pool blocks; BN after Conv2D normalizes each channel over N, H and W. A
    /// greyscale (height, width) input gets its channel axis from a Reshape first.
    /// </summary>
    private static Layer[] CnnBnLayers(Shape input, ModelTarget target)
    {
        var layers = new List<Layer>();
        if (input.Rank == 2) layers.Add(new Reshape([input[0], input[1], 1], inputShape: input.Dims.ToArray()));
        layers.Add(new Conv2D(32, 3, padding: "same", kernelInitializer: Initializers.HeNormal, inputShape: input.Rank == 3 ? input.Dims.ToArray() : null));
        layers.AddRange(
        [
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
            target.OutputLayer(),
        ]);
        return [.. layers];
    }

    private static Layer[] TabularLayers(Shape input, ModelTarget target) =>
    [
        new Normalization(inputShape: input.Dims.ToArray()),
        new Flatten(),
        new Dense(64, activation: Activations.Relu, kernelInitializer: Initializers.HeNormal),
        new Dense(64, activation: Activations.Relu, kernelInitializer: Initializers.HeNormal),
        target.OutputLayer(),
    ];
}
