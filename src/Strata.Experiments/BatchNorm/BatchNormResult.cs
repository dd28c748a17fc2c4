namespace Strata.Experiments;

/// <summary>
/// What <see cref="BatchNormExperiment.Run"/> measured: every run, the main comparison the report leads with, and
/// the report itself on demand, so that a program or a test reads the numbers without parsing the report's files.
/// </summary>
public sealed class BatchNormResult
{
    internal BatchNormResult(BatchNormSettings settings, IReadOnlyList<BatchNormRun> runs, int trainCount, int testCount, double seconds)
    {
        Settings = settings;
        Runs = runs;
        TrainCount = trainCount;
        TestCount = testCount;
        Seconds = seconds;
        Comparisons = BatchNormReport.Compare(runs);
    }

    public BatchNormSettings Settings { get; }

    /// <summary>Every run, in the order of <see cref="BatchNormExperiment.Plan"/>.</summary>
    public IReadOnlyList<BatchNormRun> Runs { get; }

    /// <summary>The main comparison, one per learning rate and seed: how much sooner BN reached the plain network's best.</summary>
    public IReadOnlyList<BatchNormComparison> Comparisons { get; }

    /// <summary>Images trained on.</summary>
    public int TrainCount { get; }

    /// <summary>Test images every evaluation measured the accuracy on.</summary>
    public int TestCount { get; }

    /// <summary>How long the runs took in all.</summary>
    public double Seconds { get; }

    /// <summary>The short text tables <c>strata experiment batchnorm</c> prints: the main comparison and the learning-rate sweep.</summary>
    public string SummaryTable() => BatchNormReport.SummaryTable(Settings, Runs);

    /// <summary>
    /// Writes report.md, curves.csv, runs.csv and the PNG charts into <paramref name="directory"/> (created if
    /// needed). <paramref name="dataSource"/>, where the data came from, is named in the report.
    /// </summary>
    public ExperimentReport WriteReport(string directory, string? dataSource = null) => BatchNormReport.Write(directory, this, dataSource);
}
