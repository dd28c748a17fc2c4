namespace Strata.Experiments.Reporting;

/// <summary>PNG charts cannot be drawn on this machine; the message says why and what to install.</summary>
public sealed class PlotUnavailableException(string message) : Exception(message);
