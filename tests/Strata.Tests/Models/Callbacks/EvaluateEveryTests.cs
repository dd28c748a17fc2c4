using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models.Callbacks;

public class EvaluateEveryTests
{
    private static Sequential Model()
    {
        var model = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 6 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    [Fact]
    public void Evaluates_at_the_start_every_k_steps_across_epochs_and_at_the_last_step()
    {
        var (x, y) = SequentialTests.Blobs(50, seed: 50);
        var (tx, ty) = SequentialTests.Blobs(30, seed: 51);
        var model = Model();
        var seen = new List<int>();
        var untrained = model.Evaluate(tx, ty).Loss;
        var every = new EvaluateEvery(4, tx, ty, batchSize: 7, atStart: true, onEvaluation: e => seen.Add(e.Step));

        model.Fit(x, y, batchSize: 10, seed: 1, steps: 14, callbacks: [every], verbose: 0);

        Assert.Equal([0, 4, 8, 12, 14], every.Evaluations.Select(e => e.Step));
        Assert.Equal(seen, every.Evaluations.Select(e => e.Step));
        Assert.Equal(untrained, every.Evaluations[0].Result.Loss);
        var trained = model.Evaluate(tx, ty);
        Assert.Equal(trained.Loss, every.Evaluations[^1].Result.Loss);
        Assert.Equal(trained["accuracy"], every.Evaluations[^1].Result["accuracy"]);
    }

    [Fact]
    public void A_last_step_on_the_period_is_evaluated_once_and_a_new_fit_starts_over()
    {
        var (x, y) = SequentialTests.Blobs(40, seed: 52);
        var model = Model();
        var every = new EvaluateEvery(2, x, y);
        model.Fit(x, y, epochs: 2, batchSize: 10, seed: 1, callbacks: [every], verbose: 0);
        Assert.Equal([2, 4, 6, 8], every.Evaluations.Select(e => e.Step));

        model.Fit(x, y, batchSize: 10, seed: 1, steps: 3, callbacks: [every], verbose: 0);
        Assert.Equal([2, 3], every.Evaluations.Select(e => e.Step));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var (x, y) = SequentialTests.Blobs(10, seed: 53);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluateEvery(0, x, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluateEvery(1, x, y, batchSize: 0));
    }
}
