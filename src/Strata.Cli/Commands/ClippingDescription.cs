using System.Globalization;
using Strata.Optimizers;

namespace Strata.Cli.Commands;

/// <summary>How an optimizer clips, in its option's own name, for the lines <c>strata train</c> and <c>strata summary</c> print.</summary>
internal static class ClippingDescription
{
    /// <summary>", clipValue 0.5", ", agc 0.01", ", autoClipPercentile 10" and so on; empty without clipping.</summary>
    public static string Of(Optimizer optimizer) =>
        optimizer.ClipValue is float cv ? $", clipValue {Format(cv)}"
        : optimizer.ClipNorm is float cn ? $", clipNorm {Format(cn)}"
        : optimizer.GlobalClipNorm is float gn ? $", globalClipNorm {Format(gn)}"
        : optimizer.Agc is float agc ? $", agc {Format(agc)}{(optimizer.AgcExcludeLast ? " (final layer excluded)" : "")}"
        : optimizer.AutoClipPercentile is float p ? $", autoClipPercentile {Format(p)}"
        : "";

    private static string Format(float value) => value.ToString("G", CultureInfo.InvariantCulture);
}
