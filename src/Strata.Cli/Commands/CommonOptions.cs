using System.CommandLine;
using Strata.Data;
using Strata.Data.Files;
using Strata.Layers;

namespace Strata.Cli.Commands;

/// <summary>Options several commands share, declared once so their names, help, ranges and checks agree.</summary>
internal static class CommonOptions
{
    /// <summary>The most threads --threads accepts.</summary>
    public const int MaxThreads = 1024;

    /// <summary>The largest --batch-size: beyond it a batch is more than any dataset here, or than memory holds.</summary>
    public const int MaxBatchSize = 65_536;

    public static Option<string> Data() => new("--data")
    {
        Description = "The data: a folder of IDX files (Fashion-MNIST's four, or any train/test images and labels pair), " +
            "a CSV file (with --label), or an image folder (one sub-folder of PNG/JPEG files per class; train/ and test/ inside are both read)",
        HelpName = "PATH",
        DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
    };

    /// <summary>The most pixels on a side --image-size accepts.</summary>
    public const int MaxImageSide = 4096;

    public static Option<Size2D?> ImageSize() => new("--image-size")
    {
        Description = $"Image-folder images are resized to HxW (each 1 to {MaxImageSide}) [default: the first image's size]",
        HelpName = "HxW",
        CustomParser = result => OptionParsers.ImageSize(result, MaxImageSide),
    };

    /// <summary>Null when not given: the command's default (rgb, as Keras's) applies.</summary>
    public static Option<ColorMode?> ColorMode() => new("--color-mode")
    {
        Description = "Image-folder images as grayscale (1 channel) or rgb (3), as Keras's color_mode [default: rgb]",
        HelpName = "grayscale|rgb",
        CustomParser = result => OptionParsers.ColorMode(result),
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = $"Threads the kernels may use, 1 to {MaxThreads} [default: all cores]",
        HelpName = "N",
        CustomParser = result => OptionParsers.WholeNumber(1, MaxThreads)(result),
    };

    public static Option<int> BatchSize(int defaultValue, string description) => new("--batch-size")
    {
        Description = $"{description}, 1 to {MaxBatchSize}",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = OptionParsers.WholeNumber(1, MaxBatchSize),
    };

    /// <summary>An optional number above 0 (a threshold, a learning rate); a bad value gets one message naming the option.</summary>
    public static Option<float?> PositiveNumber(string name, string description, string helpName = "X") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => OptionParsers.PositiveNumber(result),
    };

    /// <summary>An optional percentile, above 0 and at most 100.</summary>
    public static Option<float?> Percentile(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "P",
        CustomParser = result => OptionParsers.Percentile(result),
    };

    /// <summary>
    /// The memory budget every read of the command checks before allocating (<see cref="Budget"/> gives the default
    /// when the option is absent). No default value in the option itself: help would print it as a bare number.
    /// </summary>
    public static Option<MemoryBudget?> MaxMemory() => new("--max-memory")
    {
        Description = "Most memory the command may allocate for the files it reads and the batches it computes: " +
            "4GB, 512MB, 1.5G or bytes, in powers of 1024 [default: 4 GB, or half of the memory this process may use if less]",
        HelpName = "SIZE",
        CustomParser = OptionParsers.MemorySize,
    };

    /// <summary>The budget <paramref name="option"/> gives, or <see cref="MemoryBudget.Default"/>.</summary>
    public static MemoryBudget Budget(ParseResult parsed, Option<MemoryBudget?> option) => parsed.GetValue(option) ?? MemoryBudget.Default;
}
