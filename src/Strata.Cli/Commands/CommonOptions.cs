using System.CommandLine;
using Strata.Data;

namespace Strata.Cli.Commands;

/// <summary>Options several commands share, declared once so their names, help and checks agree.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "Directory with the four Fashion-MNIST IDX files (raw or .gz)",
        HelpName = "DIR",
        DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "Threads the kernels may use [default: all cores]",
        HelpName = "N",
        CustomParser = result => OptionParsers.WholeNumber(minimum: 1)(result),
    };

    public static Option<int> BatchSize(int defaultValue, string description) => new("--batch-size")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = OptionParsers.WholeNumber(minimum: 1),
    };
}
