using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models;

/// <summary>Fit's step budget: <c>Fit(steps: N)</c>.</summary>
public class SequentialFitTests
{
    private static Sequential Model()
    {
        var model = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new Dense(3, activation: "softmax")) { Seed = 5 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model;
    }

    /// <summary>Stops training after a given number of steps, as the experiments' step counters once did.</summary>
    private sealed class StopAfter(int steps) : Callback
    {
        private int _step;

        public override void OnBatchEnd(int epoch, BatchLogs logs)
        {
            if (++_step >= steps) StopTraining = true;
        }
    }

    [Fact]
    public void A_step_budget_trains_exactly_that_many_steps_across_epochs_and_stops_mid_epoch()
    {
        var (x, y) = SequentialTests.Blobs(50, seed: 40); // 5 steps of 10 per epoch
        var model = Model();
        var history = model.Fit(x, y, batchSize: 10, seed: 3, steps: 12, verbose: 0);

        Assert.Equal(12, history.GradientNorms.Count);
        Assert.Equal(3, history.Epochs); // 5 + 5 + 2
        Assert.Equal(2, model.EpochsCompleted); // the cut-short epoch does not count
    }

    [Fact]
    public void A_step_budget_sees_the_batches_of_a_longer_run_stopped_at_that_step()
    {
        var (x, y) = SequentialTests.Blobs(50, seed: 41);
        var budget = Model();
        var stopped = Model();
        budget.Fit(x, y, batchSize: 10, seed: 3, steps: 13, verbose: 0);
        stopped.Fit(x, y, epochs: 3, batchSize: 10, seed: 3, callbacks: [new StopAfter(13)], verbose: 0);

        Assert.Equal(SequentialTests.AllWeights(stopped), SequentialTests.AllWeights(budget));
    }

    [Fact]
    public void A_whole_number_of_epochs_as_steps_is_those_epochs()
    {
        var (x, y) = SequentialTests.Blobs(50, seed: 42);
        var budget = Model();
        var epochs = Model();
        budget.Fit(x, y, batchSize: 10, seed: 3, steps: 10, verbose: 0);
        epochs.Fit(x, y, epochs: 2, batchSize: 10, seed: 3, verbose: 0);

        Assert.Equal(SequentialTests.AllWeights(epochs), SequentialTests.AllWeights(budget));
        Assert.Equal(2, budget.EpochsCompleted);
    }

    [Fact]
    public void A_budget_of_zero_trains_nothing_and_bad_budgets_are_refused()
    {
        var (x, y) = SequentialTests.Blobs(20, seed: 43);
        var model = Model();
        Assert.Empty(model.Fit(x, y, batchSize: 10, steps: 0, verbose: 0).GradientNorms);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, batchSize: 10, steps: -1, verbose: 0));
        var both = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 3, batchSize: 10, steps: 5, verbose: 0));
        Assert.Contains("epochs (3) or steps (5), not both", both.Message, StringComparison.Ordinal);
    }
}
