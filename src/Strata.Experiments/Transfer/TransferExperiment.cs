using System.Diagnostics;
using Strata.Data;
using Strata.Optimizers;

namespace Strata.Experiments;

/// <summary>
/// The texts' transfer-learning experiment (Géron ch. 11, "Reusing Pretrained Layers") on Fashion-MNIST. Model A
/// learns the eight classes other than sandal and shirt; model B is a binary classifier, shirt (1) or sandal (0),
/// given only a couple of hundred labelled images. B is trained from scratch, and from A's layers: a copy of them with a new
/// head, frozen for a few epochs (Fit trains the head on their cached outputs), then unfrozen (an
/// <see cref="UnfreezingSchedule"/>) at a tenth of the rate while the head keeps the full rate; a frozen
/// BatchNormalization keeps its moving statistics when unfrozen. The texts report the error rate falling from 2.8% to
/// 0.7%, "divided by about 4", and admit that the run was chosen among many; here every seed draws its own 200 images,
/// weights and order, and the report gives the distribution.
/// </summary>
public static class TransferExperiment
{
    /// <summary>Fashion-MNIST's sandal and shirt: model B's task, left out of model A's.</summary>
    public const int Sandal = 5, Shirt = 6;

    /// <summary>Model A's classes, in the order of its outputs.</summary>
    public static IReadOnlyList<int> SourceClasses { get; } = [0, 1, 2, 3, 4, 7, 8, 9];

    /// <summary>Every run of model B, in the order they are trained: each network's seeds, from scratch and reused.</summary>
    public static IReadOnlyList<TransferRunSpec> Plan(TransferSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return [.. new[] { false, true }.SelectMany(bn => Enumerable.Range(0, s.Seeds).SelectMany(seed => new[] { false, true }.Select(reused => new TransferRunSpec(bn, reused, seed))))];
    }

    /// <summary>
    /// Trains model A of each network on <paramref name="train"/>'s eight classes and every planned model B, evaluating
    /// on <paramref name="test"/> (Fashion-MNIST's labels); each run is reported to <paramref name="progress"/> as it
    /// finishes. Seeded: the same settings and data give the same numbers.
    /// </summary>
    public static TransferResult Run(TransferSettings settings, Dataset train, Dataset test, IProgress<ExperimentProgress<TransferRun>>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var clock = Stopwatch.StartNew();
        var sourceTrain = train.OfClasses([.. SourceClasses]);
        if (settings.SourceCount > 0 && settings.SourceCount < sourceTrain.Count) sourceTrain = sourceTrain.Split(settings.SourceCount).First;
        var sourceTest = test.OfClasses([.. SourceClasses]);
        var targetPool = train.OfClasses(Sandal, Shirt);
        var targetTest = test.OfClasses(Sandal, Shirt);
        if (targetPool.Count < settings.TargetCount)
            throw new ArgumentException($"The transfer experiment draws {settings.TargetCount} sandal and shirt images for model B; the training data has {targetPool.Count}.", nameof(train));

        var plan = Plan(settings);
        var sources = new List<TransferSource>();
        var runs = new List<TransferRun>(plan.Count);
        foreach (bool batchNorm in new[] { false, true })
        {
            var (source, a) = TrainSource(settings, batchNorm, sourceTrain, sourceTest);
            sources.Add(source);
            foreach (var spec in plan.Where(p => p.BatchNorm == batchNorm))
            {
                runs.Add(RunOne(settings, spec, a, targetPool, targetTest));
                progress?.Report(new ExperimentProgress<TransferRun>(runs[^1], runs.Count, plan.Count));
            }
        }
        return new TransferResult(settings, sources, runs, sourceTrain.Count, targetTest.Count, clock.Elapsed.TotalSeconds);
    }

    private static (TransferSource, Model) TrainSource(TransferSettings s, bool batchNorm, Dataset train, Dataset test)
    {
        var clock = Stopwatch.StartNew();
        var a = TransferNetwork.Source(batchNorm, seed: 42);
        a.Compile(new Sgd(s.LearningRate), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        a.Fit(train.Images, train.Labels, epochs: s.SourceEpochs, batchSize: s.BatchSize, seed: 43, verbose: 0);
        double accuracy = a.Evaluate(test.Images, test.Labels, batchSize: 500).Metrics["accuracy"];
        return (new TransferSource(batchNorm, accuracy, clock.Elapsed.TotalSeconds), a);
    }

    private static TransferRun RunOne(TransferSettings s, TransferRunSpec spec, Model a, Dataset pool, Dataset test)
    {
        var clock = Stopwatch.StartNew();
        var train = pool.Shuffled(3000 + spec.Seed).Split(s.TargetCount).First; // the same images for both starts of a seed
        int seed = 1000 + spec.Seed;
        var b = spec.Reused ? TransferNetwork.Reused(a, seed) : TransferNetwork.Scratch(spec.BatchNorm, seed);
        Callback[] callbacks = [];
        if (spec.Reused)
        {
            b.Freeze(..^1);
            callbacks = [new UnfreezingSchedule(s.FrozenEpochs, ..^1, s.FineTuneMultiplier)];
        }
        b.Compile(new Sgd(s.LearningRate), Losses.BinaryCrossentropy(), [Metrics.BinaryAccuracy()]);
        var history = b.Fit(train.Images, train.Labels, epochs: s.TargetEpochs, batchSize: s.BatchSize, seed: 2000 + spec.Seed, callbacks: callbacks, verbose: 0);
        var result = b.Evaluate(test.Images, test.Labels, batchSize: 500);
        return new TransferRun(spec, 1 - result.Metrics["binary_accuracy"], result.Loss, history.StepsOnCachedFeatures, clock.Elapsed.TotalSeconds);
    }
}
