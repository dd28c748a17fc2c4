using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models.Callbacks;

public class CallbackTests
{
    [Fact]
    public void Terminate_on_nan_stops_at_the_first_non_finite_loss()
    {
        var (model, x, y) = SequentialTests.OverflowingBnModel(new Sgd(), samples: 64, seed: 31);
        y[20] = float.MaxValue; // the third batch of 8 overflows
        var stop = new TerminateOnNaN();
        var history = model.Fit(x, y, epochs: 5, batchSize: 8, shuffle: false, callbacks: [stop]);
        Assert.Equal((1, 3), stop.StoppedAt);
        Assert.Equal(1, history.SkippedSteps);
        Assert.Equal(3, history.GradientNorms.Count);
    }

    [Fact]
    public void Early_stopping_waits_for_patience_and_restores_the_best_weights()
    {
        var (x, y) = SequentialTests.Blobs(60, seed: 32);
        var (vx, vy) = SequentialTests.Blobs(30, seed: 33);
        // A learning rate far too large makes validation loss jump around, so it stops improving quickly.
        var model = new Sequential(new Dense(16, activation: "relu", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 2 };
        model.Compile(new Sgd(3f), Losses.SparseCategoricalCrossentropy);
        var early = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        var history = model.Fit(x, y, epochs: 40, batchSize: 10, validationData: (vx, vy), seed: 3, callbacks: [early]);
        Assert.NotNull(early.StoppedEpoch);
        Assert.Equal(early.BestEpoch + 2 + 1, early.StoppedEpoch);
        Assert.Equal(early.StoppedEpoch, history.Epochs);
        double best = history["val_loss"][early.BestEpoch - 1];
        Assert.Equal(best, model.Evaluate(vx, vy, batchSize: 10).Loss, 4);
    }

    [Fact]
    public void Early_stopping_names_a_missing_value()
    {
        var (x, y) = SequentialTests.Blobs(30, seed: 34);
        var model = new Sequential(new Dense(3, activation: "softmax", inputShape: [4])) { Seed = 1 };
        model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 1, callbacks: [new EarlyStopping("val_loss")]));
        Assert.Contains("val_loss", e.Message);
    }

    [Fact]
    public void Learning_rate_schedules_follow_keras()
    {
        var exp = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.5f);
        Assert.Equal(0.1f, exp.At(0), 6);
        Assert.Equal(0.05f, exp.At(10), 6);
        Assert.Equal(0.1f * MathF.Pow(0.5f, 0.5f), exp.At(5), 6);
        Assert.Equal(0.1f, new ExponentialDecay(0.1f, 10, 0.5f, staircase: true).At(9), 6);
        var piecewise = new PiecewiseConstantDecay([100, 200], [1f, 0.5f, 0.1f]);
        Assert.Equal(1f, piecewise.At(100));
        Assert.Equal(0.5f, piecewise.At(101));
        Assert.Equal(0.1f, piecewise.At(201));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([1], [1f]));
        // CosineDecay: η·((1 − α)·½(1 + cos(π·t/T)) + α), held at α·η after T.
        var cosine = new CosineDecay(0.1f, decaySteps: 100, alpha: 0.1f);
        Assert.Equal(0.1f, cosine.At(0), 6);
        Assert.Equal(0.0868198f, cosine.At(25), 6); // ½(1 + cos(π/4)) = 0.8535534; 0.9·0.8535534 + 0.1 = 0.8681981
        Assert.Equal(0.055f, cosine.At(50), 6);
        Assert.Equal(0.01f, cosine.At(100), 6);
        Assert.Equal(0.01f, cosine.At(1000), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 10, alpha: 1.5f));

        // The optimizer uses At(iterations) for each update: one weight, MSE gradient 2w.
        var model = new Sequential(new Dense(1, useBias: false, kernelInitializer: Initializers.Ones, inputShape: [1])) { Seed = 1 };
        var sgd = new Sgd(1f) { Schedule = new PiecewiseConstantDecay([0], [0.1f, 0.01f]) };
        model.Compile(sgd, Losses.MeanSquaredError);
        var x = Tensor.FromArray(new Shape(1, 1), 1f);
        var y = Tensor.FromArray(new Shape(1, 1), 0f);
        model.TrainOnBatch(x, y); // η = 0.1: w = 1 − 0.2
        model.TrainOnBatch(x, y); // η = 0.01: w = 0.8 − 0.016
        Assert.Equal(0.784f, model.Layers[0].Weights[0].Value[0], 6);
    }
}
