namespace Strata.Experiments;

/// <summary>
/// The settings of the batchnorm experiment (<c>strata experiment batchnorm</c>). The main comparison trains the
/// plain and the BN network for <see cref="Steps"/> steps at each of <see cref="MainLearningRates"/> over
/// <see cref="Seeds"/> seeds, evaluated every <see cref="EvaluateEvery"/> steps; the sweeps (learning rate,
/// activation, initialization scale) train seed 0 for <see cref="SweepSteps"/> steps, at <see cref="LearningRate"/>
/// (the first main rate) unless the learning rate is what they sweep. <see cref="TestCount"/> test images (0: all)
/// measure the accuracy; the first <see cref="ProbeCount"/> are the batch whose sigmoid inputs are tracked. At every
/// evaluation of a BN network the test accuracy is also measured with its statistics recalibrated on
/// <see cref="RecalibrationCount"/> training images (the moving statistics are put back before training goes on).
/// Start from <see cref="Full"/> or <see cref="Quick"/> and change what you need with <c>with</c>.
/// </summary>
public sealed record BatchNormSettings(
    int Steps, int EvaluateEvery, int SweepSteps, int SweepEvaluateEvery, int Seeds, int TestCount, int ProbeCount,
    float[] MainLearningRates, float InitStddev, float[] SweepLearningRates, float[] SweepInitStddevs, int BatchSize = 60,
    string? Caveat = null, int RecalibrationCount = 5_000)
{
    /// <summary>The primary learning rate: the first main one.</summary>
    public float LearningRate => MainLearningRates[0];

    /// <summary>The full run (see docs/experiments.md for how long it takes).</summary>
    public static BatchNormSettings Full(int seeds) => new(
        Steps: 20_000, EvaluateEvery: 250, SweepSteps: 4_000, SweepEvaluateEvery: 500, Seeds: seeds, TestCount: 0, ProbeCount: 1_000,
        MainLearningRates: [0.1f, 0.5f], InitStddev: 0.05f, SweepLearningRates: [0.1f, 0.5f, 2f, 5f, 10f, 20f], SweepInitStddevs: [0.01f, 0.1f, 1f]);

    /// <summary>
    /// The --quick run: the same conditions, fewer steps, a 2 000-image test subset; its <see cref="Caveat"/> says
    /// what it can and cannot show.
    /// </summary>
    public static BatchNormSettings Quick(int seeds) => new(
        Steps: 4_000, EvaluateEvery: 100, SweepSteps: 1_000, SweepEvaluateEvery: 100, Seeds: seeds, TestCount: 2_000, ProbeCount: 200,
        MainLearningRates: [0.1f, 0.5f], InitStddev: 0.05f, SweepLearningRates: [0.5f, 10f], SweepInitStddevs: [1f], RecalibrationCount: 1_000,
        Caveat: "This is the --quick run: one seed, 4 000 steps and 2 000 test images. It shows the direction of each effect " +
            "(the plain network learns slowly at rate 0.1, BN reaches its best accuracy in a fraction of the steps, and only BN " +
            "trains at rate 10), not its size; the full run (`strata experiment batchnorm`) measures that over 3 seeds and 20 000 steps.");
}
