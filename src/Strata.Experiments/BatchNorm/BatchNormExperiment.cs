using System.Diagnostics;
using Strata.Data;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Experiments;

/// <summary>
/// The settings of <c>strata experiment batchnorm</c>. The main comparison trains the plain and the BN network for
/// <see cref="Steps"/> steps at each of <see cref="MainLearningRates"/> over <see cref="Seeds"/> seeds; the sweeps
/// (learning rate, activation, initialization scale) train seed 0 for <see cref="SweepSteps"/> steps, at
/// <see cref="LearningRate"/> (the first main rate) unless the learning rate is what they sweep.
/// </summary>
internal sealed record BatchNormSettings(
    int Steps, int EvaluateEvery, int SweepSteps, int SweepEvaluateEvery, int Seeds, int TestCount, int ProbeCount,
    float[] MainLearningRates, float InitStddev, float[] SweepLearningRates, float[] SweepInitStddevs, int BatchSize = 60,
    string? Caveat = null)
{
    /// <summary>The primary learning rate: the first main one.</summary>
    public float LearningRate => MainLearningRates[0];

    /// <summary>The full run (see docs/experiments.md for how long it takes).</summary>
    public static BatchNormSettings Full(int seeds) => new(
        Steps: 20_000, EvaluateEvery: 250, SweepSteps: 4_000, SweepEvaluateEvery: 500, Seeds: seeds, TestCount: 0, ProbeCount: 1_000,
        MainLearningRates: [0.1f, 0.5f], InitStddev: 0.05f, SweepLearningRates: [0.1f, 0.5f, 2f, 5f, 10f, 20f], SweepInitStddevs: [0.01f, 0.1f, 1f]);

    /// <summary>The --quick run: the same conditions, fewer steps, a 1 000-image test subset.</summary>
    public static BatchNormSettings Quick(int seeds) => new(
        Steps: 4_000, EvaluateEvery: 100, SweepSteps: 1_000, SweepEvaluateEvery: 100, Seeds: seeds, TestCount: 2_000, ProbeCount: 200,
        MainLearningRates: [0.1f, 0.5f], InitStddev: 0.05f, SweepLearningRates: [0.5f, 10f], SweepInitStddevs: [1f],
        Caveat: "This is the --quick run: one seed, 4 000 steps and 2 000 test images. It shows the direction of each effect " +
            "(the plain network learns slowly at rate 0.1, BN reaches its best accuracy in a fraction of the steps, and only BN " +
            "trains at rate 10), not its size; the full run (`strata experiment batchnorm`) measures that over 3 seeds and 20 000 steps.");
}

/// <summary>What one training run was: which network, how trained, and in which part of the experiment.</summary>
internal sealed record BatchNormRunSpec(string Group, bool BatchNorm, string Activation, float LearningRate, float InitStddev, int Seed, int Steps, int EvaluateEvery)
{
    /// <summary>"BN" or "plain".</summary>
    public string Network => BatchNorm ? "BN" : "plain";
}

/// <summary>One run's evaluations and whether it failed.</summary>
internal sealed record BatchNormRun(BatchNormRunSpec Spec, IReadOnlyList<Checkpoint> Checkpoints, int SkippedSteps, int? FirstNonFiniteStep, double Seconds)
{
    /// <summary>Chance accuracy on ten balanced classes plus a margin: at or below it a network has learned nothing.</summary>
    public const double FailAccuracy = 0.2;

    public double FinalAccuracy => Checkpoints[^1].TestAccuracy;

    public double BestAccuracy => Checkpoints.Max(c => c.TestAccuracy);

    /// <summary>
    /// Failed: a step's loss or gradient was not finite (the model diverged) or the final test accuracy is at most
    /// <see cref="FailAccuracy"/> (chance is 0.1).
    /// </summary>
    public bool Failed => SkippedSteps > 0 || !(FinalAccuracy > FailAccuracy);

    /// <summary>The first evaluated step with test accuracy ≥ <paramref name="target"/>, or null if none reached it.</summary>
    public int? StepsToReach(double target) => Checkpoints.FirstOrDefault(c => c.TestAccuracy >= target)?.Step;
}

/// <summary>
/// Ioffe and Szegedy's §4.1 MNIST experiment moved to Fashion-MNIST: 784 → three hidden layers of 100 sigmoid
/// units → 10 softmax, weights from N(0, σ²) with small σ, SGD at batch 60, with and without BatchNormalization
/// (BN between a bias-free Dense and the sigmoid, z = g(BN(Wu))). Test accuracy is measured every few hundred
/// steps, with the percentiles of one last-hidden-layer sigmoid input over a fixed batch (Fig. 1). Sweeps over the
/// learning rate, the activation (sigmoid, tanh) and the initialization scale show where BN makes the difference.
/// </summary>
internal static class BatchNormExperiment
{
    /// <summary>Hidden layers and units of the paper's network.</summary>
    public const int HiddenLayers = 3, HiddenUnits = 100;

    /// <summary>The unit whose input is tracked (any one; the paper shows "a typical" one).</summary>
    public const int ProbeUnit = 0;

    /// <summary>The network: Flatten → 3 × [Dense(100) → (BN) → activation] → Dense(10, softmax).</summary>
    public static Sequential CreateModel(bool batchNorm, string activation, float initStddev, int seed)
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

    /// <summary>Trains every planned run, reporting each as it finishes.</summary>
    public static List<BatchNormRun> Run(BatchNormSettings s, Dataset train, Dataset test, Action<BatchNormRun, int, int>? onRunDone = null)
    {
        var testSet = s.TestCount > 0 && s.TestCount < test.Count ? test.Split(s.TestCount).First : test;
        // The probe batch: the first images of the test set, the same for every run and every evaluation.
        var probe = test.Split(Math.Min(s.ProbeCount, test.Count)).First.Images;
        var plan = Plan(s);
        var results = new List<BatchNormRun>(plan.Count);
        foreach (var spec in plan)
        {
            var clock = Stopwatch.StartNew();
            var model = CreateModel(spec.BatchNorm, spec.Activation, spec.InitStddev, seed: 1000 + spec.Seed);
            model.Compile(new Sgd(spec.LearningRate), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
            var evaluator = new StepEvaluator(testSet.Images, testSet.Labels, probe, StepEvaluator.LastHiddenActivation(model.Layers),
                ProbeUnit, spec.EvaluateEvery, spec.Steps);
            int stepsPerEpoch = train.Count / s.BatchSize;
            int epochs = (spec.Steps + stepsPerEpoch - 1) / stepsPerEpoch;
            model.Fit(train.Images, train.Labels, epochs: epochs, batchSize: s.BatchSize, shuffle: true, seed: 2000 + spec.Seed,
                callbacks: [evaluator], dropLastPartialBatch: true);
            var run = new BatchNormRun(spec, evaluator.Checkpoints.ToArray(), evaluator.SkippedSteps, evaluator.FirstNonFiniteStep, clock.Elapsed.TotalSeconds);
            results.Add(run);
            onRunDone?.Invoke(run, results.Count, plan.Count);
        }
        return results;
    }
}
