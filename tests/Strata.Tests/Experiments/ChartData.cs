using Strata.Experiments;

namespace Strata.Tests.Experiments;

/// <summary>Small made-up results for the charts: a training history and whole batchnorm and clipping experiments.</summary>
internal static class ChartData
{
    /// <summary>
    /// <paramref name="epochs"/> epochs of <paramref name="steps"/> steps: training and validation loss falling,
    /// accuracy rising, gradient norms near 1 with a spike every seventh step.
    /// </summary>
    public static History Training(int epochs, int steps)
    {
        var history = new History { WeightNames = ["w", "b"] };
        for (int e = 0; e < epochs; e++)
        {
            for (int k = 0; k < steps; k++)
                history.RecordGradientNorms(k % 7 == 3 ? 30 : 1 + 0.1 * (k % 5), [0.5, 0.5]);
            history.AddEpoch(new Dictionary<string, double>
            {
                ["loss"] = 1.0 / (e + 2), ["accuracy"] = 0.9 - 0.4 / (e + 2),
                ["val_loss"] = 1.1 / (e + 2), ["val_accuracy"] = 0.85 - 0.4 / (e + 2),
            });
        }
        return history;
    }

    /// <summary>
    /// Every run the batchnorm experiment plans for <paramref name="s"/>, evaluated at step 0 and every
    /// EvaluateEvery steps: the plain network stays at chance (the case a fixed 0.5–0.95 axis hid), the BN
    /// network learns; a sweep run at a learning rate of 10 or more diverges to chance.
    /// </summary>
    public static List<BatchNormRun> BatchNorm(BatchNormSettings s) => BatchNormExperiment.Plan(s).Select(spec =>
    {
        int count = spec.Steps / spec.EvaluateEvery + 1;
        bool learns = spec.BatchNorm && spec.LearningRate < 10;
        var checkpoints = Enumerable.Range(0, count).Select(i =>
        {
            double progress = i / (double)(count - 1);
            double accuracy = learns ? 0.1 + (0.7 + 0.02 * spec.LearningRate) * progress : 0.1 + 0.01 * (i % 2) + 0.02 * spec.LearningRate;
            double spread = spec.BatchNorm ? 1 : 0.5 + 2 * progress;
            return new BatchNormCheckpoint(i * spec.EvaluateEvery, Math.Min(accuracy, 1), 2.3 * (1 - 0.5 * progress), -spread, 0.1 * i, spread,
                spec.BatchNorm ? -1.2 : double.NaN, spec.BatchNorm ? 0.05 * i : double.NaN, spec.BatchNorm ? 1.2 : double.NaN);
        }).ToArray();
        return new BatchNormRun(spec, checkpoints, 0, null, 1);
    }).ToList();

    /// <summary>
    /// Every run the clipping experiment plans for <paramref name="s"/>. With <paramref name="allZero"/> no run
    /// succeeds and no step explodes (every success and exploded fraction is 0, as in a short quick run); otherwise
    /// clipped runs succeed, the unclipped ones explode on some steps. Each mode's norms differ, so no trace hides another.
    /// </summary>
    public static List<ClippingRun> Clipping(ClippingSettings s, bool allZero = false) => ClippingExperiment.Plan(s).Select(spec =>
    {
        int mode = (int)spec.Mode;
        double[] norms = Enumerable.Range(0, 60).Select(i =>
            !allZero && spec.Mode == ClipMode.None && i % 10 == 9 ? 50.0 + spec.Length : 0.2 * (mode + 1) + 0.01 * (i % 3)).ToArray();
        double finalError = allZero ? 0.5 : spec.Mode == ClipMode.None ? 0.3 : 0.005 * mode;
        var evaluations = new[] { new SequenceEvaluation(30, 0.6, 1), new SequenceEvaluation(60, finalError, 0.5) };
        return new ClippingRun(spec, evaluations, norms, 0, 1, s.ExplosionNorm);
    }).ToList();

    /// <summary>
    /// A residual result: BN and Fixup learn, the network without BN stays at chance; block norms grow without BN and
    /// are all zero with Fixup (its classifier starts at zero), as at a real initialization.
    /// </summary>
    public static ResidualResult Residual(ResidualSettings s, bool plainTrains = false)
    {
        var runs = ResidualExperiment.Plan(s).Select(spec =>
        {
            bool learns = spec.Variant != ResidualVariant.NoNormalization || plainTrains;
            int count = s.Steps / s.EvaluateEvery + 1;
            var checkpoints = Enumerable.Range(0, count).Select(i =>
                new ResidualCheckpoint(i * s.EvaluateEvery, learns ? 0.1 + (0.8 - 0.2 * (int)spec.Variant) * i / (count - 1) : 0.1, 2.3)).ToArray();
            double[] norms = [.. Enumerable.Range(0, s.Blocks).Select(b => spec.Variant switch
            {
                ResidualVariant.Fixup => 0.0,
                ResidualVariant.NoNormalization => Math.Pow(2, s.Blocks - b),
                _ => 0.5 + 0.01 * b,
            })];
            return new ResidualRun(spec, checkpoints, spec.Variant == ResidualVariant.Fixup ? Math.Log(10) : 3, norms, 0, null, 1);
        }).ToList();
        return new ResidualResult(s, runs, trainCount: 240, testCount: 60, seconds: 3);
    }

    /// <summary>A transfer result with the error rates given: <paramref name="error"/>(spec) for each planned run.</summary>
    public static TransferResult Transfer(TransferSettings s, Func<TransferRunSpec, double> error)
    {
        var runs = TransferExperiment.Plan(s).Select(spec => new TransferRun(spec, error(spec), 0.1, spec.Reused ? 7 : 0, 0.5)).ToList();
        return new TransferResult(s, [new TransferSource(false, 0.91, 20), new TransferSource(true, 0.92, 25)], runs, sourceTrainCount: 48_000, targetTestCount: 2_000, seconds: 60);
    }
}
