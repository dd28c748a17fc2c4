using System.Globalization;
using Strata.Kernels;
using Strata.Layers;

namespace Strata;

/// <summary>
/// Health checks of a <see cref="BatchNormalization"/> layer, in words, for <see cref="Model.Fit(Tensor, Tensor, int, int, float, ValueTuple{Tensor, Tensor}?, bool, int?, IEnumerable{Callback}?, bool, int, int, int?, Distributed.Communicator?)"/>'s
/// <see cref="History.Warnings"/> and <see cref="Model.Summary"/>:
/// <list type="bullet">
/// <item><b>not warmed up</b>: fewer updates than 3/(1 − momentum) since initialization — the moving statistics still
/// hold momentumⁿ of their initial 0 and 1 (5 % after 3/(1 − momentum) steps, since (1 − 1/k)^(3k) ≈ e⁻³);</item>
/// <item><b>far from the batch statistics</b> (after training): some feature's moving mean is more than
/// <see cref="MeanGap"/> standard deviations from the mean of the last epoch's batch means, or its √(σ² + ε) off by
/// more than <see cref="ScaleGap"/>× — inference then normalizes differently from training;</item>
/// <item><b>constant input</b>: some feature's batch variance (after training, the last epoch's mean; in a summary,
/// the moving variance) is under ε — BN divides it by about √ε, so noise is amplified; usually dead units before it.</item>
/// </list>
/// A recalibrated layer (<see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/>) is warm. A frozen one
/// (<c>Trainable = false</c>) is not updated by design and is not checked for warm-up or the gap.
/// </summary>
internal static class BatchNormHealth
{
    /// <summary>The largest healthy gap of a moving mean from the recent batch means, in standard deviations.</summary>
    public const double MeanGap = 0.5;

    /// <summary>The largest healthy ratio between the moving and the recent batch √(σ² + ε), either way.</summary>
    public const double ScaleGap = 1.5;

    /// <summary>Updates a layer of this momentum needs to forget its initial statistics to 5 %: 3/(1 − momentum).</summary>
    public static double WarmUpSteps(float momentum) => momentum >= 1 ? double.PositiveInfinity : 3 / (1 - (double)momentum);

    /// <summary>
    /// The warnings of one layer. <paramref name="steps"/> counts its updates (a loaded model's optimizer iterations
    /// stand in for what this process did not see); <paramref name="afterTraining"/> adds the checks against the last
    /// epoch's batch statistics. <paramref name="readsInput"/> says the layer normalizes the model's input itself, where
    /// a constant feature comes from the data (border pixels of images) rather than from dead units.
    /// </summary>
    public static IEnumerable<string> Warnings(BatchNormalization layer, long steps, bool afterTraining, bool readsInput = false)
    {
        var c = CultureInfo.InvariantCulture;
        var tracker = layer.Tracker;
        bool checkedTraining = layer.Trainable && !tracker.Calibrated;
        double warmUp = WarmUpSteps(layer.Momentum);
        if (checkedTraining && steps > 0 && steps < warmUp)
        {
            double left = Math.Pow(layer.Momentum, steps);
            yield return string.Create(c,
                $"{layer.Name}: moving statistics not warmed up — {steps} updates since initialization, fewer than 3/(1 − momentum) = {warmUp:G4}; they still hold {left * 100:F0}% of their initial values. Train longer, lower the momentum, or call RecalibrateBatchNormalization.");
        }
        ReadOnlySpan<float> variance = layer.MovingVariance.Value;
        if (afterTraining && tracker.RecentBatches > 0)
        {
            var (recentMean, recentVariance) = tracker.Recent();
            if (checkedTraining)
            {
                var (shift, ratio) = BatchNormChannelKernels.StatisticsChange(layer.MovingMean.Value, layer.MovingVariance.Value, recentMean, recentVariance, layer.Epsilon);
                if (shift > MeanGap || ratio > ScaleGap)
                {
                    yield return string.Create(c,
                        $"{layer.Name}: moving statistics far from the batch statistics at the end of training — a moving mean {shift:G3} standard deviations from the last epoch's batch means, a scale off by up to {ratio:G3}×; inference will not normalize as training did. Call RecalibrateBatchNormalization, or lower the momentum.");
                }
            }
            variance = recentVariance;
        }
        else if (steps == 0 && !tracker.Calibrated)
        {
            yield break; // untrained: the moving variance is still its initial value
        }
        int constant = 0, first = -1;
        for (int f = 0; f < variance.Length; f++)
        {
            if (variance[f] < layer.Epsilon)
            {
                constant++;
                if (first < 0) first = f;
            }
        }
        if (constant > 0)
        {
            yield return string.Create(c,
                $"{layer.Name}: constant input — {constant} of {variance.Length} features have a batch variance under ε = {layer.Epsilon:G3} (the first: feature {first}); BN divides them by about √ε, amplifying their noise. {(readsInput ? "They barely vary in the data itself (in images, usually border pixels); drop them or normalize the inputs before BN if that matters." : "The layer before may have dead units.")}");
        }
    }
}
