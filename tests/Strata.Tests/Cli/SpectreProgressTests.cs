using Spectre.Console;
using Strata.Cli.Progress;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Tests.Cli;

public class SpectreProgressTests
{
    [Fact]
    public void Plain_WritesOneLinePerEpochInReadingOrder()
    {
        using var output = new StringWriter();
        var progress = new SpectreProgress(output, console: null);

        var history = progress.Run(() => Fit(progress, epochs: 3));

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(3, lines.Length);
        for (int e = 0; e < 3; e++)
            Assert.Matches($@"^epoch {e + 1}/3  loss \d+\.\d{{4}}  accuracy \d\.\d{{4}}  val_loss \d+\.\d{{4}}  val_accuracy \d\.\d{{4}}  samples/s \d+  \d+\.\ds$", lines[e]);
    }

    [Fact]
    public void Live_DrawsOnTheConsoleAndLeavesTheEpochLines()
    {
        using var plain = new StringWriter();
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var progress = new SpectreProgress(plain, console);

        var history = progress.Run(() => Fit(progress, epochs: 2));

        Assert.Equal(2, history.Epochs);
        Assert.Equal("", plain.ToString());
        string drawn = screen.ToString();
        Assert.Contains("epoch 1/2  loss ", drawn, StringComparison.Ordinal);
        Assert.Contains("epoch 2/2  loss ", drawn, StringComparison.Ordinal);
    }

    [Fact]
    public void OrderedKeys_PutsLossMetricsThenValidation()
    {
        string[] keys = ["val_accuracy", "accuracy", "extra", "val_loss", "loss"];
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "extra"], SpectreProgress.OrderedKeys(keys, ["accuracy"]));
    }

    private static History Fit(SpectreProgress progress, int epochs)
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
        return model.Fit(x, y, epochs: epochs, batchSize: 8, validationSplit: 0.2f, seed: 3, callbacks: [progress]);
    }
}
