using System.Diagnostics;
using Strata.Data;
using Strata.Optimizers;

namespace Strata.Experiments;

/// <summary>
/// Zhang, Dauphin and Ma's claim (2019, "Fixup Initialization") at the depths two cores afford: a deep residual network
/// (<see cref="ResidualNetwork"/>) trained on Fashion-MNIST with BatchNormalization, without it at He et al.'s
/// initialization, and without it with Fixup, by the same SGD (momentum 0.9) for the same steps. Before any update
/// each run measures the loss and every block's gradient norm on the first batch of training images (without normalization
/// and with the usual initialization the output's variance doubles block by block, and the gradients with it); while
/// it trains, the test accuracy every few steps.
/// </summary>
public static class ResidualExperiment
{
    /// <summary>The variants in the order the report lists them.</summary>
    public static IReadOnlyList<ResidualVariant> Variants { get; } = [ResidualVariant.BatchNorm, ResidualVariant.NoNormalization, ResidualVariant.Fixup];

    /// <summary>Every run of the experiment, in the order they are trained: each seed's three variants.</summary>
    public static IReadOnlyList<ResidualRunSpec> Plan(ResidualSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return [.. Enumerable.Range(0, s.Seeds).SelectMany(seed => Variants.Select(v => new ResidualRunSpec(v, seed)))];
    }

    /// <summary>
    /// Trains every planned run on <paramref name="train"/> (28×28 images of ten classes) and evaluates it on
    /// <paramref name="test"/>, reporting each run to <paramref name="progress"/> as it finishes. The runs are seeded:
    /// the same settings and data give the same numbers.
    /// </summary>
    public static ResidualResult Run(ResidualSettings settings, Dataset train, Dataset test, IProgress<ExperimentProgress<ResidualRun>>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(train.Count, settings.BatchSize, nameof(train));
        var clock = Stopwatch.StartNew();
        var testSet = settings.TestCount > 0 && settings.TestCount < test.Count ? test.Split(settings.TestCount).First : test;
        var plan = Plan(settings);
        var runs = new List<ResidualRun>(plan.Count);
        foreach (var spec in plan)
        {
            runs.Add(RunOne(settings, spec, train, testSet));
            progress?.Report(new ExperimentProgress<ResidualRun>(runs[^1], runs.Count, plan.Count));
        }
        return new ResidualResult(settings, runs, train.Count, testSet.Count, clock.Elapsed.TotalSeconds);
    }

    private static ResidualRun RunOne(ResidualSettings s, ResidualRunSpec spec, Dataset train, Dataset test)
    {
        var clock = Stopwatch.StartNew();
        var model = ResidualNetwork.Create(spec.Variant, s.Blocks, seed: 1000 + spec.Seed);
        model.Compile(new Sgd(s.LearningRate, momentum: 0.9f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        // The first BatchSize training images: the same batch for every run.
        var first = train.Split(s.BatchSize).First;
        var gradients = model.ComputeGradients(first.Images, first.Labels);
        var norms = BlockNorms(gradients, s.Blocks);
        var checkpoints = new List<ResidualCheckpoint>();
        var evaluate = new EvaluateEvery(s.EvaluateEvery, test.Images, test.Labels, batchSize: 500, atStart: true,
            onEvaluation: e => checkpoints.Add(new ResidualCheckpoint(e.Step, e.Result.Metrics["accuracy"], e.Result.Loss)));
        var skipped = new SkippedStepCounter();
        model.Fit(train.Images, train.Labels, batchSize: s.BatchSize, shuffle: true, seed: 2000 + spec.Seed, callbacks: [evaluate, skipped],
            dropLastPartialBatch: true, verbose: 0, steps: s.Steps);
        return new ResidualRun(spec, checkpoints, gradients.Loss, norms, skipped.Count, skipped.First, clock.Elapsed.TotalSeconds);
    }

    /// <summary>‖∂L/∂θ‖ over the weights of each block (the layers named block{i}_…), i = 1 … blocks.</summary>
    internal static double[] BlockNorms(Gradients gradients, int blocks)
    {
        var squares = new double[blocks];
        for (int w = 0; w < gradients.Count; w++)
        {
            string name = gradients.Weights[w].Name;
            for (int b = 1; b <= blocks; b++)
            {
                if (!name.StartsWith(ResidualNetwork.BlockName(b) + "_", StringComparison.Ordinal)) continue;
                foreach (float g in gradients[w]) squares[b - 1] += (double)g * g;
                break;
            }
        }
        return [.. squares.Select(Math.Sqrt)];
    }
}
