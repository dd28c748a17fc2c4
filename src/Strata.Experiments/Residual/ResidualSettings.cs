namespace Strata.Experiments;

/// <summary>
/// The settings of the residual experiment (<c>strata experiment residual</c>): a network of <see cref="Blocks"/>
/// basic residual blocks (2·Blocks + 2 weighted layers), each variant trained for <see cref="Steps"/> SGD steps of
/// <see cref="BatchSize"/> images at <see cref="LearningRate"/> with momentum 0.9, over <see cref="Seeds"/> seeds,
/// the test accuracy measured every <see cref="EvaluateEvery"/> steps on <see cref="TestCount"/> test images (0: all).
/// Start from <see cref="Full"/> or <see cref="Quick"/> and change what you need with <c>with</c>.
/// </summary>
public sealed record ResidualSettings(int Blocks, int Steps, int EvaluateEvery, int Seeds, int TestCount, int BatchSize = 64,
    float LearningRate = 0.05f, string? Caveat = null)
{
    /// <summary>The most blocks --blocks takes.</summary>
    public const int MaxBlocks = 1_000;

    /// <summary>The full run: 16 blocks (34 layers), 1 000 steps.</summary>
    public static ResidualSettings Full(int seeds) => new(Blocks: 16, Steps: 1_000, EvaluateEvery: 100, Seeds: seeds, TestCount: 0);

    /// <summary>The --quick run: 8 blocks, 200 steps, 1 000 test images; its <see cref="Caveat"/> says what it shows.</summary>
    public static ResidualSettings Quick(int seeds) => new(Blocks: 8, Steps: 200, EvaluateEvery: 25, Seeds: seeds, TestCount: 1_000,
        Caveat: "This is the --quick run: 8 blocks, 200 steps and 1 000 test images. It shows how each variant starts (the loss and " +
            "gradient norms at initialization, and the first steps), not where it ends: BN's moving averages (momentum 0.99) have not warmed up in 200 steps, " +
            "so its test accuracy lags its training. The full run (`strata experiment residual`) trains 16 blocks for 1 000 steps.");
}
