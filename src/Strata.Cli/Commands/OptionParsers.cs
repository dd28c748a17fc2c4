using System.CommandLine.Parsing;
using System.Globalization;

namespace Strata.Cli.Commands;

/// <summary>Parsers that turn a bad option value (abc, 0, -1) into one clear message naming the option.</summary>
internal static class OptionParsers
{
    public static Func<ArgumentResult, int> WholeNumber(int minimum) => result =>
    {
        string text = Token(result);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            result.AddError($"{OptionName(result)} takes a whole number; got '{text}'.");
            return 0;
        }
        if (value < minimum) result.AddError($"{OptionName(result)} must be at least {minimum}; got {value}.");
        return value;
    };

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

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "The value";
}
