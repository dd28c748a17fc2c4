using System.Globalization;
using Strata.Cli;
using Strata.Data;

namespace Strata.Tests.Cli;

/// <summary>Runs <c>strata</c> in-process with captured output, and writes tiny Fashion-MNIST-shaped data for it.</summary>
internal static class CliHarness
{
    private const int Side = 28;

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = Program.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Exactly one "error:" line, and nothing that looks like a stack trace.</summary>
    public static void AssertOneErrorLine(string stderr)
    {
        if (NotOneErrorLine(stderr) is { } problem) Assert.Fail($"{problem}:\n{stderr}");
    }

    /// <summary>Why <paramref name="stderr"/> is not exactly one "error:" line without a stack trace, or null when it is.</summary>
    public static string? NotOneErrorLine(string stderr)
    {
        int errors = stderr.Split('\n').Count(line => line.StartsWith("error: ", StringComparison.Ordinal));
        if (errors != 1) return $"{errors} error lines";
        if (stderr.Contains("   at ", StringComparison.Ordinal)) return "a stack trace";
        if (stderr.Contains("Exception", StringComparison.Ordinal)) return "an exception's name";
        return null;
    }

    /// <summary>The four IDX files of a tiny Fashion-MNIST in <paramref name="directory"/>.</summary>
    public static void WriteTinyFashionMnist(string directory, int trainCount, int testCount)
    {
        WriteSet(directory, "train", trainCount, seed: 1);
        WriteSet(directory, "t10k", testCount, seed: 2);
    }

    /// <summary>
    /// Writes <c>{prefix}-images-idx3-ubyte</c> and <c>{prefix}-labels-idx1-ubyte</c>: image n has class n mod 10,
    /// drawn as a bright horizontal band at rows 2·class..2·class+3 over faint noise, so a model can learn it.
    /// </summary>
    private static void WriteSet(string directory, string prefix, int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Side * Side];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % 10;
            labels[n] = (byte)label;
            var image = pixels.AsSpan(n * Side * Side, Side * Side);
            for (int p = 0; p < image.Length; p++) image[p] = (byte)random.Next(0, 60);
            for (int row = 2 * label + 2; row < 2 * label + 6; row++)
                for (int col = 4; col < 24; col++) image[row * Side + col] = (byte)random.Next(200, 256);
        }
        Idx.Write(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), pixels, count, Side, Side);
        Idx.Write(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), labels, count);
    }
}
