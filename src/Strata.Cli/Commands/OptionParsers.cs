using System.CommandLine.Parsing;
using System.Globalization;
using Strata.Data;
using Strata.Data.Files;
using Strata.Layers;

namespace Strata.Cli.Commands;

/// <summary>
/// Parsers that turn a bad option value (abc, 0, -1, 10⁹) into one clear message naming the option and its range.
/// Every numeric option has a range: a value far outside what the command can use (a batch of two billion, a
/// thousand seeds) is refused before anything is loaded or allocated, instead of failing gigabytes later.
/// </summary>
internal static class OptionParsers
{
    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static Func<ArgumentResult, int> WholeNumber(int minimum, int maximum = int.MaxValue) => result =>
    {
        string text = Token(result);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            string range = maximum == int.MaxValue && minimum != int.MinValue ? " of " + Range(minimum, maximum) : " " + Range(minimum, maximum);
            result.AddError($"{OptionName(result)} takes a whole number{range.TrimEnd()}; got '{text}'.");
            return 0;
        }
        if (value < minimum || value > maximum) result.AddError($"{OptionName(result)} must be {Range(minimum, maximum)}; got {value}.");
        return value;
    };

    /// <summary>A percentile: a number above 0 and at most 100.</summary>
    public static float Percentile(ArgumentResult result)
    {
        string text = Token(result);
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !(value > 0f && value <= 100f))
        {
            result.AddError($"{OptionName(result)} must be a percentile above 0 and at most 100; got '{text}'.");
            return 0f;
        }
        return value;
    }

    /// <summary>A finite number above zero.</summary>
    public static float PositiveNumber(ArgumentResult result)
    {
        string text = Token(result);
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !(value > 0f && float.IsFinite(value)))
        {
            result.AddError($"{OptionName(result)} must be a positive number; got '{text}'.");
            return 0f;
        }
        return value;
    }

    /// <summary>A memory size: 4GB, 512MB, 1.5G, 64KiB or a number of bytes (see <see cref="MemoryBudget.TryParse"/>).</summary>
    public static MemoryBudget? MemorySize(ArgumentResult result)
    {
        string text = Token(result);
        if (MemoryBudget.TryParse(text, out var budget)) return budget;
        result.AddError($"{OptionName(result)} takes a size above zero such as 4GB, 512MB, 1.5G or a number of bytes; got '{text}'.");
        return null;
    }

    /// <summary>An image size "HxW" (28x28, 64X48), each side 1 to <paramref name="maximum"/>.</summary>
    public static Size2D? ImageSize(ArgumentResult result, int maximum)
    {
        string text = Token(result);
        var parts = text.Split('x', 'X');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int w) && h is > 0 && h <= maximum && w is > 0 && w <= maximum)
        {
            return new Size2D(h, w);
        }
        result.AddError($"{OptionName(result)} takes HEIGHTxWIDTH, each from 1 to {maximum}, such as 28x28; got '{text}'.");
        return null;
    }

    /// <summary>grayscale or rgb, Keras's color modes.</summary>
    public static ColorMode ColorMode(ArgumentResult result)
    {
        string text = Token(result);
        switch (text.ToLowerInvariant())
        {
            case "grayscale" or "greyscale" or "grey" or "gray": return Data.Files.ColorMode.Grayscale;
            case "rgb": return Data.Files.ColorMode.Rgb;
            default:
                result.AddError($"{OptionName(result)} is grayscale or rgb; got '{text}'.");
                return Data.Files.ColorMode.Rgb;
        }
    }

    /// <summary>"from 1 to 100", "at least 1", or nothing when every int is allowed.</summary>
    private static string Range(int minimum, int maximum) => (minimum, maximum) switch
    {
        (int.MinValue, int.MaxValue) => "",
        (_, int.MaxValue) => $"at least {minimum}",
        _ => $"from {minimum} to {maximum}",
    };

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "The value";
}
