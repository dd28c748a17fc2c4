using System.Diagnostics;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Experiments;

/// <summary>
/// Pascanu, Mikolov and Bengio (2013) §4.1: a SimpleRnn of 50 tanh units with a Dense read-out at the last step,
/// trained with SGD (no momentum, batch 20; learning rate 0.1 by default, the paper's 0.01 with --learning-rate) on the adding and the temporal-order problem at
/// several sequence lengths, without clipping, with each of Keras's clipping modes and with Strata's adaptive ones
/// (AGC, AutoClip), over several seeds. Every
/// step draws a fresh batch; the success criterion is the paper's (under 1% of fresh sequences wrong).
/// </summary>
public static class ClippingExperiment
{
    /// <summary>SimpleRnn(units, tanh) on [batch, T, features] → Dense(outputs) with the task's activation.</summary>
    internal static Sequential CreateModel(ClippingSettings s, SequenceTask task, int length, int seed) => new(
        new SimpleRnn(s.Units, Activations.Tanh,
            kernelInitializer: Initializers.RandomNormal(s.InputStddev),
            recurrentInitializer: Initializers.RandomNormal(s.RecurrentStddev),
            biasInitializer: Initializers.Zeros,
            inputShape: [length, task.Features]),
        new Dense(task.Outputs, activation: task.OutputActivation, kernelInitializer: Initializers.RandomNormal(s.InputStddev)))
    { Seed = seed };

    /// <summary>Plain SGD with the mode's clipping at the settings' threshold, or the adaptive modes' λ and percentile.</summary>
    internal static Sgd CreateOptimizer(ClippingSettings s, ClipMode mode) => mode switch
    {
        ClipMode.ClipValue => new Sgd(s.LearningRate, clipValue: s.Threshold),
        ClipMode.ClipNorm => new Sgd(s.LearningRate, clipNorm: s.Threshold),
        ClipMode.GlobalClipNorm => new Sgd(s.LearningRate, globalClipNorm: s.Threshold),
        ClipMode.Agc => new Sgd(s.LearningRate, agc: s.Agc),
        ClipMode.AutoClip => new Sgd(s.LearningRate, autoClipPercentile: s.AutoClipPercentile),
        _ => new Sgd(s.LearningRate),
    };

    /// <summary>Every run, in the order they are trained (shortest sequences first).</summary>
    public static IReadOnlyList<ClippingRunSpec> Plan(ClippingSettings s) =>
        (from task in ClippingSettings.Tasks
         from length in s.Lengths
         from seed in Enumerable.Range(0, s.Seeds)
         from mode in ClippingSettings.Modes
         select new ClippingRunSpec(task.Name, length, mode, seed)).ToList();

    /// <summary>
    /// Trains every planned run, reporting each to <paramref name="progress"/> as it finishes. The data are generated
    /// from the seeds: the same settings give the same numbers. Check <see cref="ClippingSettings.EstimatedBytes"/>
    /// against the memory you have before long sequences.
    /// </summary>
    public static ClippingResult Run(ClippingSettings settings, IProgress<ExperimentProgress<ClippingRun>>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var plan = Plan(settings);
        var runs = new List<ClippingRun>(plan.Count);
        foreach (var spec in plan)
        {
            runs.Add(RunOne(settings, ClippingSettings.Tasks.Single(t => t.Name == spec.Task), spec));
            progress?.Report(new ExperimentProgress<ClippingRun>(runs[^1], runs.Count, plan.Count));
        }
        return new ClippingResult(settings, runs, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One run: the weights come from the seed, and so do the training batches and the evaluation set, so the
    /// modes of a seed start from the same weights and see the same data. The loop is the custom one
    /// (ComputeGradients, then ApplyGradients), not Fit: every step draws a fresh batch from the task's generator,
    /// where Fit takes fixed tensors, and holding the batches of every step up front would take
    /// MaxSteps × batch × T × features floats (480 MB at T = 50 for the full run) for a run that stops at its first
    /// success. The loop also reads each step's gradient norm before the optimizer clips it.
    /// </summary>
    internal static ClippingRun RunOne(ClippingSettings s, SequenceTask task, ClippingRunSpec spec)
    {
        var clock = Stopwatch.StartNew();
        int seed = 7919 * spec.Seed + spec.Length;
        var model = CreateModel(s, task, spec.Length, seed);
        var optimizer = CreateOptimizer(s, spec.Mode);
        model.Compile(optimizer, task.Loss);
        var (evalX, evalY) = task.Generate(s.EvaluationCount, spec.Length, new Random(seed + 1));
        var data = new Random(seed + 2);
        var norms = new List<double>(s.MaxSteps);
        var evaluations = new List<SequenceEvaluation>();
        int nonFinite = 0;
        for (int step = 1; step <= s.MaxSteps; step++)
        {
            var (x, y) = task.Generate(s.BatchSize, spec.Length, data);
            var gradients = model.ComputeGradients(x, y);
            // The global norm before clipping: the optimizer clips inside ApplyGradients.
            double norm = gradients.GlobalNorm();
            norms.Add(norm);
            if (!optimizer.ApplyGradients(gradients) || !float.IsFinite(gradients.Loss)) nonFinite++;
            if (step % s.EvaluateEvery == 0 || step == s.MaxSteps)
            {
                evaluations.Add(Evaluate(model, task, evalX, evalY, step));
                if (SequenceTask.Succeeded(evaluations[^1].ErrorRate)) break;
            }
        }
        return new ClippingRun(spec, evaluations, norms.ToArray(), nonFinite, clock.Elapsed.TotalSeconds, s.ExplosionNorm);
    }

    private static SequenceEvaluation Evaluate(Sequential model, SequenceTask task, Tensor x, Tensor y, int step)
    {
        var predictions = model.Predict(x, batchSize: ClippingSettings.EvaluationBatch);
        double loss = task.Loss.Compute(predictions, y, []); // the same loss as training, from the same forward pass
        return new SequenceEvaluation(step, task.CountWrong(predictions, y) / (double)y.Shape[0], loss);
    }
}
