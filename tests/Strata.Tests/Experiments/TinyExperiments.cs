using Strata.Data;
using Strata.Experiments;
using Strata.Tests.Cli;

namespace Strata.Tests.Experiments;

/// <summary>Settings and data small enough to run whole experiments in a test, yet with every group of runs.</summary>
internal static class TinyExperiments
{
    /// <summary>
    /// Every group of the batchnorm experiment in a few steps: 240 training images make 4 batches of 60, so the main
    /// runs train 3 epochs and the sweeps stop halfway through their second (6 steps, evaluated at 0, 4 and 6).
    /// </summary>
    public static BatchNormSettings BatchNorm { get; } = new(
        Steps: 12, EvaluateEvery: 4, SweepSteps: 6, SweepEvaluateEvery: 4, Seeds: 1, TestCount: 40, ProbeCount: 20,
        MainLearningRates: [0.5f], InitStddev: 0.05f, SweepLearningRates: [10f], SweepInitStddevs: [1f]);

    /// <summary>Both tasks at one short length, every mode, 30 steps evaluated every 10 on 20 sequences.</summary>
    public static ClippingSettings Clipping { get; } = ClippingSettings.Quick(seeds: 1) with
    {
        Lengths = [6], MaxSteps = 30, EvaluateEvery = 10, EvaluationCount = 20,
    };

    /// <summary>Three blocks, 6 steps of 16 images evaluated at 0, 3 and 6 on 40 test images.</summary>
    public static ResidualSettings Residual { get; } = new(Blocks: 3, Steps: 6, EvaluateEvery: 3, Seeds: 1, TestCount: 40, BatchSize: 16);

    /// <summary>
    /// Model A for 2 epochs of its 192 images; model B from 20 of the 48 sandal and shirt images for 3 epochs, 1 of
    /// them frozen, 2 seeds.
    /// </summary>
    public static TransferSettings Transfer { get; } = new(SourceCount: 0, SourceEpochs: 2, TargetCount: 20, TargetEpochs: 3, FrozenEpochs: 1, Seeds: 2, BatchSize: 8);

    /// <summary>The tiny Fashion-MNIST of <see cref="CliHarness.WriteTinyFashionMnist"/>: 240 training and 60 test images.</summary>
    public static (Dataset Train, Dataset Test) FashionMnist()
    {
        var directory = Directory.CreateTempSubdirectory("strata-tiny-fashion-");
        try
        {
            CliHarness.WriteTinyFashionMnist(directory.FullName, trainCount: 240, testCount: 60);
            return Strata.Data.FashionMnist.Load(directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
