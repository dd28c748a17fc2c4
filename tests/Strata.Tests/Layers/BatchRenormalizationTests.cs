using Strata.Layers;
using Strata.Tests.GradientCheck;
using static Strata.Tests.Layers.LayerNormalizationTests;

namespace Strata.Tests.Layers;

/// <summary>BatchNormalization(renorm: true) against tf.keras's equations, replayed in double.</summary>
[Collection(nameof(Strata.Tests.Kernels.WorkerPoolSettings))]
public class BatchRenormalizationTests
{
    /// <summary>tf.keras's renorm state and step for [n, c] batches, in double.</summary>
    private sealed class KerasRenorm(int c, double momentum, double renormMomentum, double epsilon, double rMin, double rMax, double dMax)
    {
        public double[] MovingMean = new double[c], MovingVariance = Ones(c), MovingStddev = Ones(c), RenormMean = new double[c], RenormStddev = Ones(c);

        private static double[] Ones(int c) => [.. Enumerable.Repeat(1.0, c)];

        public double[] Step(float[] x, int n, float[] gamma, float[] beta)
        {
            var y = new double[x.Length];
            for (int f = 0; f < c; f++)
            {
                double mean = Enumerable.Range(0, n).Average(i => x[i * c + f]);
                double variance = Enumerable.Range(0, n).Average(i => Math.Pow(x[i * c + f] - mean, 2));
                double stddev = Math.Sqrt(variance + epsilon), s = Math.Max(RenormStddev[f], Math.Sqrt(epsilon));
                double r = Math.Clamp(stddev / s, rMin, rMax), d = Math.Clamp((mean - RenormMean[f]) / s, -dMax, dMax);
                for (int i = 0; i < n; i++) y[i * c + f] = gamma[f] * ((x[i * c + f] - mean) / stddev * r + d) + beta[f];
                MovingMean[f] = MovingMean[f] * momentum + mean * (1 - momentum);
                MovingStddev[f] = MovingStddev[f] * momentum + stddev * (1 - momentum);
                MovingVariance[f] = Math.Max(MovingStddev[f] * MovingStddev[f] - epsilon, 0);
                RenormMean[f] = RenormMean[f] * renormMomentum + mean * (1 - renormMomentum);
                RenormStddev[f] = RenormStddev[f] * renormMomentum + stddev * (1 - renormMomentum);
            }
            return y;
        }
    }

    private static void Close(double[] expected, ReadOnlySpan<float> actual, double tolerance = 2e-5) =>
        LayerNormalizationTests.Near([.. expected.Select(v => (float)v)], actual, tolerance);

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(1.5f, 0.8f, 0.3f)]
    public void Training_follows_tf_keras_step_by_step(float? rMax, float? rMin, float? dMax)
    {
        const int n = 8, c = 3;
        var bn = new BatchNormalization(momentum: 0.9f, renorm: true, renormClipping: new RenormClipping(rMax, rMin, dMax), renormMomentum: 0.7f);
        bn.Build(new Shape(c), new Random(1));
        GradientChecker.Random(new Shape(c), seed: 2).Span.CopyTo(bn.Gamma!.Value);
        GradientChecker.Random(new Shape(c), seed: 3).Span.CopyTo(bn.Beta!.Value);
        var keras = new KerasRenorm(c, 0.9, 0.7, 1e-3, rMin ?? double.NegativeInfinity, rMax ?? double.PositiveInfinity, dMax ?? double.PositiveInfinity);
        for (int step = 0; step < 6; step++)
        {
            // Batches that drift in mean and spread, so r and d move away from 1 and 0 (and hit the clips).
            var x = GradientChecker.Random(new Shape(n, c), seed: 10 + step, scale: 1 + step);
            for (int i = 0; i < x.Length; i++) x[i] += step;
            var expected = keras.Step(x.Span.ToArray(), n, bn.Gamma.Value.ToArray(), bn.Beta.Value.ToArray());
            Close(expected, bn.Forward(x, training: true).Span);
        }
        Close(keras.MovingMean, bn.MovingMean.Value);
        Close(keras.MovingVariance, bn.MovingVariance.Value);
        Close(keras.MovingStddev, bn.MovingStddev!.Value);
        Close(keras.RenormMean, bn.RenormMean!.Value);
        Close(keras.RenormStddev, bn.RenormStddev!.Value);

        // Inference: the moving statistics, as without renorm.
        var probe = GradientChecker.Random(new Shape(2, c), seed: 30);
        var y = bn.Forward(probe, training: false);
        for (int i = 0; i < probe.Length; i++)
        {
            int f = i % c;
            double expected = bn.Gamma.Value[f] * (probe[i] - keras.MovingMean[f]) / Math.Sqrt(keras.MovingVariance[f] + 1e-3) + bn.Beta.Value[f];
            Assert.Equal(expected, y[i], 4);
        }
    }

    [Fact]
    public void Corrections_clipped_to_one_and_zero_are_batch_normalization()
    {
        var plain = new BatchNormalization();
        var renorm = new BatchNormalization(renorm: true, renormClipping: new RenormClipping(rMax: 1, rMin: 1, dMax: 0));
        foreach (var bn in new[] { plain, renorm })
        {
            bn.Build(new Shape(4), new Random(1));
            GradientChecker.Random(new Shape(4), seed: 2).Span.CopyTo(bn.Gamma!.Value);
        }
        var x = GradientChecker.Random(new Shape(6, 4), seed: 3, scale: 3f);
        var dy = GradientChecker.Random(new Shape(6, 4), seed: 4);
        Near(plain.Forward(x, training: true).Span.ToArray(), renorm.Forward(x, training: true).Span, 1e-6);
        Near(plain.Backward(dy).Span.ToArray(), renorm.Backward(dy).Span, 1e-6);
        Near(plain.Gamma!.Gradient.ToArray(), renorm.Gamma!.Gradient, 1e-6);
        Near(plain.Beta!.Gradient.ToArray(), renorm.Beta!.Gradient, 1e-6);
        Near(plain.MovingMean.Value.ToArray(), renorm.MovingMean.Value, 1e-6);
    }

    /// <summary>
    /// r and d are constants in backpropagation (tf.keras's stop_gradient), so finite differences agree with the
    /// analytic gradient only where the clips hold them: renorm statistics far from the batch's pin r at rMax and d at
    /// dMax, and momenta of 1 keep them there while the checker runs forward passes.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void Gradients_with_clipped_corrections_match_finite_differences(int? virtualBatchSize)
    {
        var bn = new BatchNormalization(momentum: 1f, renorm: true, renormClipping: new RenormClipping(rMax: 2f, dMax: 0.5f),
            renormMomentum: 1f, virtualBatchSize: virtualBatchSize);
        bn.Build(new Shape(2, 3), new Random(1));
        GradientChecker.Random(new Shape(3), seed: 5).Span.CopyTo(bn.Gamma!.Value);
        bn.RenormStddev!.Value.Fill(0.05f); // r = σ_B/0.05 ≫ 2
        bn.RenormMean!.Value.Fill(-10f);    // d = (μ_B + 10)/0.05 ≫ 0.5
        GradientChecker.Check(bn, GradientChecker.Random(new Shape(6, 2, 3), seed: 6, scale: 2f));
    }

    [Fact]
    public void Seven_parameters_per_feature_five_non_trainable_in_tf_keras_order()
    {
        var bn = new BatchNormalization(renorm: true);
        bn.Build(new Shape(10), new Random(1));
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance", "moving_stddev", "renorm_mean", "renorm_stddev"],
            bn.Weights.Select(w => w.Name.Split('/')[1]));
        Assert.Equal((70, 50), (bn.CountParams(), bn.NonTrainableWeights.Sum(w => w.Size)));
        Assert.Equal(1f, bn.MovingStddev!.Value[0]); // √ of the moving variance's initial 1
        Assert.Equal(new RenormClipping(), bn.RenormClipping);
        Assert.Null(new BatchNormalization().RenormClipping);
    }

    [Fact]
    public void An_abandoned_step_restores_every_statistic()
    {
        var bn = new BatchNormalization(renorm: true, virtualBatchSize: 2);
        bn.Build(new Shape(3), new Random(1));
        bn.Forward(GradientChecker.Random(new Shape(4, 3), seed: 7, scale: 2f), training: true);
        var before = bn.NonTrainableWeights.Select(w => w.Value.ToArray()).ToArray();
        bn.Forward(GradientChecker.Random(new Shape(4, 3), seed: 8, scale: 3f), training: true);
        bn.AbandonStep();
        Assert.Equal(before, bn.NonTrainableWeights.Select(w => w.Value.ToArray()).ToArray());
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BatchNormalization(renormClipping: new RenormClipping(rMax: 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenormClipping(rMax: 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenormClipping(rMin: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenormClipping(dMax: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(renorm: true, renormMomentum: 1.5f));
    }

    [Fact]
    public void A_steady_training_step_allocates_nothing()
    {
        var model = new Sequential(new Dense(6, inputShape: [4]), new BatchNormalization(renorm: true, renormClipping: new RenormClipping(3, dMax: 5),
            virtualBatchSize: 4), new Dense(3, activation: "softmax")) { Seed = 1 };
        Assert.Equal(0, SteadyAllocations.OfTraining(model, GradientChecker.Random(new Shape(14, 4), seed: 2), classes: 3));
    }
}
