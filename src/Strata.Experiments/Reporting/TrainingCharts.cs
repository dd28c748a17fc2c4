namespace Strata.Experiments.Reporting;

/// <summary>
/// The charts of a training run, drawn from the <see cref="History"/> that Fit returns: what <c>strata train
/// --output</c> writes beside the model, and what a program training in code can write the same way.
/// </summary>
public static class TrainingCharts
{
    /// <summary>File names of the charts, in the run folder.</summary>
    public const string LearningCurves = "learning-curves.png", GradientNorms = "gradient-norms.png";

    /// <summary>Every chart <see cref="Build"/> makes, for <see cref="ChartCatalog"/>.</summary>
    internal static IReadOnlyList<string> ChartFiles { get; } = [LearningCurves, GradientNorms];

    /// <summary>
    /// Writes both charts into <paramref name="directory"/> and returns their paths (see <see cref="Build"/>).
    /// </summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<string> Write(History history, string directory, string modelName, int firstEpoch = 1, Threshold? clipping = null) =>
        Plots.Save(directory, Build(history, modelName, firstEpoch, clipping));

    /// <summary>
    /// The learning curves (loss and metrics per epoch) and the global gradient norm of every step. The history's
    /// first epoch is drawn as <paramref name="firstEpoch"/> (above 1 when training resumed a saved model), and its
    /// first step as the one after the earlier epochs' steps (<see cref="FirstStep"/>), so that a resumed run's
    /// charts continue the first run's axes. <paramref name="clipping"/>, when the optimizer clips by norm, is drawn
    /// on the gradient chart: the steps above it are the clipped ones.
    /// </summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    internal static IReadOnlyList<Chart> Build(History history, string modelName, int firstEpoch = 1, Threshold? clipping = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = Enumerable.Range(firstEpoch, history.Epochs).Select(e => (double)e).ToArray();
        var series = new List<Series>();
        // Loss and accuracy share one chart: cross-entropy of a trained classifier and accuracy are both ≈ 0–1.
        foreach (string key in new[] { "loss", "val_loss", "accuracy", "val_accuracy" })
            if (history.Values.TryGetValue(key, out var values)) series.Add(new Series(key, epochs, values));
        var curves = Plots.Lines(LearningCurves, $"{modelName}: loss and accuracy per epoch", "epoch", "value", series, integerX: true);

        var norms = history.GradientNorms;
        long first = FirstStep(history, firstEpoch);
        var steps = Enumerable.Range(0, norms.Count).Select(i => (double)(first + i)).ToArray();
        var gradients = Plots.Lines(GradientNorms, $"{modelName}: global gradient norm per step (before clipping)", "step", "‖g‖₂",
            [new Series("global norm", steps, norms)], logY: true, integerX: true, threshold: clipping);
        return [curves, gradients];
    }

    /// <summary>
    /// Training steps per epoch of <paramref name="history"/>: every epoch of a run has the same batches, so its
    /// recorded steps divided by its epochs (0 before any epoch).
    /// </summary>
    public static int StepsPerEpoch(History history) => history.Epochs == 0 ? 0 : history.GradientNorms.Count / history.Epochs;

    /// <summary>
    /// The number, counted from 1 at the first run's first step, of the history's first step: a run that starts at
    /// epoch <paramref name="firstEpoch"/> follows <c>firstEpoch − 1</c> epochs of as many steps as its own (the
    /// same data and batch size, as <c>--resume</c> asks), so step <c>k</c> of epoch <c>e</c> in the gradient CSV
    /// is step <c>(e − 1) × steps per epoch + k</c> here.
    /// </summary>
    public static long FirstStep(History history, int firstEpoch) => (long)(firstEpoch - 1) * StepsPerEpoch(history) + 1;
}
