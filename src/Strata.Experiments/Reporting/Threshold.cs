namespace Strata.Experiments.Reporting;

/// <summary>A horizontal reference line on a chart (a clipping threshold), with the legend label that says what it is.</summary>
public sealed record Threshold(string Label, double Value);
