namespace Strata.Experiments;

/// <summary>
/// The settings of the transfer experiment (<c>strata experiment transfer</c>). Model A is trained for
/// <see cref="SourceEpochs"/> epochs on <see cref="SourceCount"/> images (0: all) of the eight classes other than
/// sandal and shirt; model B, the binary shirt-or-sandal classifier, on <see cref="TargetCount"/> labelled images drawn
/// afresh for every seed, for <see cref="TargetEpochs"/> epochs: from scratch, or from A's layers frozen for
/// <see cref="FrozenEpochs"/> epochs and then unfrozen at <see cref="FineTuneMultiplier"/> times the rate. Both by SGD
/// at <see cref="LearningRate"/> (Keras's default rate), batch <see cref="BatchSize"/>, over <see cref="Seeds"/> seeds, with and without
/// BatchNormalization. Start from <see cref="Full"/> or <see cref="Quick"/> and change what you need with <c>with</c>.
/// </summary>
public sealed record TransferSettings(int SourceCount, int SourceEpochs, int TargetCount, int TargetEpochs, int FrozenEpochs, int Seeds,
    float LearningRate = 1e-2f, float FineTuneMultiplier = 0.1f, int BatchSize = 32, string? Caveat = null)
{
    /// <summary>The full run: A on all 48 000 images for 20 epochs; B on 200 images for 20 epochs (4 frozen), 30 seeds.</summary>
    public static TransferSettings Full(int seeds) => new(SourceCount: 0, SourceEpochs: 20, TargetCount: 200, TargetEpochs: 20, FrozenEpochs: 4, Seeds: seeds);

    /// <summary>The --quick run: A on 6 000 images for 3 epochs; B as in the full run; its <see cref="Caveat"/> says what it shows.</summary>
    public static TransferSettings Quick(int seeds) => Full(seeds) with
    {
        SourceCount = 6_000, SourceEpochs = 3,
        Caveat = "This is the --quick run: model A trains on 6 000 images for 3 epochs instead of 48 000 for 20, so the layers B reuses are " +
            "less trained than the texts' and the gain from reusing them is smaller. The full run (`strata experiment transfer`) trains A as the texts do.",
    };

    /// <summary>The seeds of the full run: enough for the spread of the error rates to show.</summary>
    public const int DefaultSeeds = 30;
}
