using ScottPlot;

namespace Strata.Experiments.Reporting;

/// <summary>
/// A chart built but not yet written: the file name it is saved as and the ScottPlot plot, so that a test can read
/// every plottable's points and, once <see cref="Plots.Save"/> has rendered it, the axis limits the reader sees.
/// </summary>
internal sealed record Chart(string FileName, Plot Plot);
