namespace Strata.Experiments.Reporting;

/// <summary>One line of a chart: its legend label and its points (non-finite y values are left out).</summary>
internal sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);
