using System.Diagnostics;
using Strata.Data;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Experiments;

/// <summary>
/// Ioffe and Szegedy's §4.1 MNIST experiment moved to Fashion-MNIST: 784 → three hidden layers of 100 sigmoid
/// units → 10 softmax, weights from N(0, σ²) with small σ, SGD at batch 60, with and without BatchNormalization
/// (BN between a bias-free Dense and the sigmoid, z = g(BN(Wu))). Test accuracy is measured every few hundred
/// steps, with the percentiles of one last-hidden-layer sigmoid input over a fixed batch (Fig. 1). Sweeps over the
/// learning rate, the activation (sigmoid, tanh) and the initialization scale show where BN makes the difference.
/// </summary>
public static class BatchNormExperiment
{
    /// <summary>Hidden layers and units of the paper's network.</summary>
    internal const int HiddenLayers = 3, HiddenUnits = 100;

    /// <summary>The unit whose input is tracked (any one; the paper shows "a typical" one).</summary>
    internal const int ProbeUnit = 0;

    /// <summary>The network: Flatten → 3 × [Dense(100) → (BN) → activation] → Dense(10, softmax).</summary>
    internal static Sequential CreateModel(bool batchNorm, string activation, float initStddev, int seed)
    {
        var layers = new List<Layer> { new Flatten(inputShape: [FashionMnist.ImageSize, FashionMnist.ImageSize]) };
        for (int i = 0; i < HiddenLayers; i++)
        {
            // With BN the Dense bias is dropped: BN's β subsumes it (the paper's z = g(BN(Wu))).
            layers.Add(new Dense(HiddenUnits, useBias: !batchNorm, kernelInitializer: Initializers.RandomNormal(initStddev)));
            if (batchNorm) layers.Add(new BatchNormalization());
            layers.Add(new Activation(Activations.Get(activation)));
        }
        layers.Add(new Dense(10, activation: Activations.Softmax, kernelInitializer: Initializers.RandomNormal(initStddev)));
        return new Sequential([.. layers]) { Seed = seed };
    }

    /// <summary>Every run of the experiment, in the order they are trained.</summary>
    public static IReadOnlyList<BatchNormRunSpec> Plan(BatchNormSettings s)
    {
        var runs = new List<BatchNormRunSpec>();
        foreach (float lr in s.MainLearningRates)
            for (int seed = 0; seed < s.Seeds; seed++)
                foreach (bool bn in new[] { false, true })
                    runs.Add(new BatchNormRunSpec("main", bn, "sigmoid", lr, s.InitStddev, seed, s.Steps, s.EvaluateEvery));
        foreach (float lr in s.SweepLearningRates)
            foreach (bool bn in new[] { false, true })
                runs.Add(new BatchNormRunSpec("learning-rate", bn, "sigmoid", lr, s.InitStddev, 0, s.SweepSteps, s.SweepEvaluateEvery));
        foreach (bool bn in new[] { false, true })
            runs.Add(new BatchNormRunSpec("activation", bn, "tanh", s.LearningRate, s.InitStddev, 0, s.SweepSteps, s.SweepEvaluateEvery));
        foreach (float stddev in s.SweepInitStddevs)
            foreach (bool bn in new[] { false, true })
                runs.Add(new BatchNormRunSpec("init-scale", bn, "sigmoid", s.LearningRate, stddev, 0, s.SweepSteps, s.SweepEvaluateEvery));
        return runs;
    }

    /// <summary>
    /// Trains every planned run on <paramref name="train"/> (Fashion-MNIST's training set, or any 28×28 images of
    /// ten classes) and evaluates it on <paramref name="test"/>, reporting each run to <paramref name="progress"/> as
    /// it finishes. The runs are seeded: the same settings and data give the same numbers.
    /// </summary>
    public static BatchNormResult Run(BatchNormSettings settings, Dataset train, Dataset test, IProgress<ExperimentProgress<BatchNormRun>>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var clock = Stopwatch.StartNew();
        var testSet = settings.TestCount > 0 && settings.TestCount < test.Count ? test.Split(settings.TestCount).First : test;
        // The probe batch: the first images of the test set, the same for every run and every evaluation.
        var probe = test.Split(Math.Min(settings.ProbeCount, test.Count)).First.Images;
        var plan = Plan(settings);
        var runs = new List<BatchNormRun>(plan.Count);
        foreach (var spec in plan)
        {
            runs.Add(RunOne(settings, spec, train, testSet, probe));
            progress?.Report(new ExperimentProgress<BatchNormRun>(runs[^1], runs.Count, plan.Count));
        }
        return new BatchNormResult(settings, runs, train.Count, testSet.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One run: SGD for the spec's steps (Fit's step budget, over reshuffled epochs), the test set evaluated at step
    /// 0 and every EvaluateEvery steps, each evaluation with the probe's percentiles at the same moment.
    /// </summary>
    private static BatchNormRun RunOne(BatchNormSettings s, BatchNormRunSpec spec, Dataset train, Dataset test, Tensor probeImages)
    {
        var clock = Stopwatch.StartNew();
        var model = CreateModel(spec.BatchNorm, spec.Activation, spec.InitStddev, seed: 1000 + spec.Seed);
        model.Compile(new Sgd(spec.LearningRate), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var probe = new SigmoidInputProbe(model, probeImages, ProbeUnit);
        var checkpoints = new List<BatchNormCheckpoint>();
        var recalibrated = spec.BatchNorm ? new RecalibratedAccuracy(model, train.Images, s.RecalibrationCount, test.Images, test.Labels) : null;
        var evaluate = new EvaluateEvery(spec.EvaluateEvery, test.Images, test.Labels, batchSize: 500, atStart: true,
            onEvaluation: e => checkpoints.Add(recalibrated is null ? probe.Measure(e) : probe.Measure(e) with { RecalibratedAccuracy = recalibrated.Measure() }));
        var skipped = new SkippedStepCounter();
        model.Fit(train.Images, train.Labels, batchSize: s.BatchSize, shuffle: true, seed: 2000 + spec.Seed, callbacks: [evaluate, skipped],
            dropLastPartialBatch: true, verbose: 0, steps: spec.Steps);
        return new BatchNormRun(spec, checkpoints, skipped.Count, skipped.First, clock.Elapsed.TotalSeconds);
    }
}
