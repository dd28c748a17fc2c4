namespace Strata.Cli.Experiments;

/// <summary>The charts of one <c>strata train</c> run, drawn from its <see cref="History"/>.</summary>
internal static class TrainingCharts
{
    /// <summary>File names of the charts, in the run folder.</summary>
    public const string LearningCurves = "learning-curves.png", GradientNorms = "gradient-norms.png";

    /// <summary>
    /// Writes both charts into <paramref name="directory"/> and returns their paths. The history's first epoch is
    /// drawn as <paramref name="firstEpoch"/> (above 1 when training resumed a saved model).
    /// </summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<string> Write(History history, string directory, string modelName, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = Enumerable.Range(firstEpoch, history.Epochs).Select(e => (double)e).ToArray();
        var series = new List<Series>();
        // Loss and accuracy share one chart: cross-entropy of a trained classifier and accuracy are both ≈ 0–1.
        foreach (string key in new[] { "loss", "val_loss", "accuracy", "val_accuracy" })
            if (history.Values.TryGetValue(key, out var values)) series.Add(new Series(key, epochs, values));
        string curves = Path.Combine(directory, LearningCurves);
        Plots.Lines(curves, $"{modelName}: loss and accuracy per epoch", "epoch", "value", series, integerX: true);

        var norms = history.GradientNorms;
        var steps = Enumerable.Range(1, norms.Count).Select(i => (double)i).ToArray();
        string gradients = Path.Combine(directory, GradientNorms);
        Plots.Lines(gradients, $"{modelName}: global gradient norm per step (before clipping)", "step", "‖g‖₂",
            [new Series("global norm", steps, norms)], logY: true);
        return [curves, gradients];
    }
}
