using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Models.Callbacks;

public class ProgressLoggerTests
{
    [Fact]
    public void Lines_writes_one_line_per_epoch_in_reading_order()
    {
        using var output = new StringWriter();
        var history = Fit(new ProgressLogger(output), epochs: 3);

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(3, lines.Length);
        for (int e = 0; e < 3; e++)
            Assert.Matches($@"^epoch {e + 1}/3  loss \d+\.\d{{4}}  accuracy \d\.\d{{4}}  val_loss \d+\.\d{{4}}  val_accuracy \d\.\d{{4}}  samples/s \d+  \d+\.\ds\r?$", lines[e]);
    }

    [Fact]
    public void Bar_redraws_in_place_and_leaves_the_epoch_lines()
    {
        using var output = new StringWriter();
        Fit(new ProgressLogger(output, ProgressStyle.Bar), epochs: 2);

        string drawn = output.ToString();
        Assert.Matches(@"\repoch 1/2 \[[=> ]{20}\] \d+/6  ETA \d+s  loss \d\.\d{4}  accuracy \d\.\d{4}", drawn);
        string[] lines = drawn.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        // What stays visible of each line is the text after its last carriage return: the epoch's summary.
        for (int e = 0; e < 2; e++) Assert.StartsWith($"epoch {e + 1}/2  loss ", lines[e][(lines[e].LastIndexOf('\r') + 1)..], StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_are_printed_under_the_epoch_they_belong_to()
    {
        // A target of float.MaxValue in the third batch: its loss overflows and the step is skipped.
        var (model, x, y) = SequentialTests.OverflowingBnModel(new Sgd(), samples: 64, seed: 31);
        y[20] = float.MaxValue;
        using var output = new StringWriter();
        model.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, callbacks: [new ProgressLogger(output)], verbose: 0);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("epoch 1/2", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("warning: epoch 1: 1 steps skipped", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("epoch 2/2", lines.First(l => l.StartsWith("epoch 2/2", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("warning: epoch 2: 1 steps skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void Ordered_keys_put_loss_metrics_then_validation()
    {
        string[] keys = ["val_accuracy", "accuracy", "extra", "val_loss", "loss"];
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "extra"], ProgressLogger.OrderedKeys(keys, ["accuracy"]));
    }

    [Fact]
    public void Verbose_follows_keras()
    {
        Assert.Null(ProgressLogger.ForConsole(0));
        Assert.NotNull(ProgressLogger.ForConsole(1));
        Assert.NotNull(ProgressLogger.ForConsole(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProgressLogger.ForConsole(3));
    }

    private static History Fit(ProgressLogger progress, int epochs)
    {
        const int n = 60;
        var x = new Tensor(new Shape(n, 4));
        var y = new Tensor(new Shape(n));
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            x[i, i % 2] = 1f;
            x[i, 2 + (i % 3 == 0 ? 1 : 0)] = 0.5f;
        }
        var model = new Sequential(new Dense(8, activation: Activations.Relu, inputShape: [4]), new Dense(2, activation: Activations.Softmax)) { Seed = 3 };
        model.Compile(new Sgd(0.1f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        return model.Fit(x, y, epochs: epochs, batchSize: 8, validationSplit: 0.2f, seed: 3, callbacks: [progress], verbose: 0);
    }
}
