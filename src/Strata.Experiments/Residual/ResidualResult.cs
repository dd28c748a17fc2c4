namespace Strata.Experiments;

/// <summary>
/// What <see cref="ResidualExperiment.Run"/> measured: every run, whether the texts' claim held, and the report on
/// demand, so that a program or a test reads the numbers without parsing the report's files.
/// </summary>
public sealed class ResidualResult
{
    internal ResidualResult(ResidualSettings settings, IReadOnlyList<ResidualRun> runs, int trainCount, int testCount, double seconds)
    {
        Settings = settings;
        Runs = runs;
        TrainCount = trainCount;
        TestCount = testCount;
        Seconds = seconds;
    }

    public ResidualSettings Settings { get; }

    /// <summary>Every run, in the order of <see cref="ResidualExperiment.Plan"/>.</summary>
    public IReadOnlyList<ResidualRun> Runs { get; }

    /// <summary>Images trained on.</summary>
    public int TrainCount { get; }

    /// <summary>Test images every evaluation measured the accuracy on.</summary>
    public int TestCount { get; }

    /// <summary>How long the runs took in all.</summary>
    public double Seconds { get; }

    /// <summary>The runs of one variant, in seed order.</summary>
    public IReadOnlyList<ResidualRun> Of(ResidualVariant variant) => [.. Runs.Where(r => r.Spec.Variant == variant)];

    /// <summary>
    /// The claim, "Fixup trains where the usual initialization without normalization does not", held at this depth:
    /// with every seed the network without BN at He et al.'s initialization failed (<see cref="ResidualRun.Failed"/>)
    /// and the Fixup network did not.
    /// </summary>
    public bool ClaimHolds => Of(ResidualVariant.NoNormalization).All(r => r.Failed) && Of(ResidualVariant.Fixup).All(r => !r.Failed);

    /// <summary>The text table <c>strata experiment residual</c> prints: one row per run.</summary>
    public string SummaryTable() => ResidualReport.RunTable(Runs).ToString();

    /// <summary>
    /// Writes report.md, curves.csv, runs.csv, block-gradients.csv and the PNG charts into <paramref name="directory"/>
    /// (created if needed). <paramref name="dataSource"/>, where the data came from, is named in the report.
    /// </summary>
    public ExperimentReport WriteReport(string directory, string? dataSource = null) => ResidualReport.Write(directory, this, dataSource);
}
