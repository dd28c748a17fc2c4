using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Strata.Bench;

/// <summary>What every same-run comparison needs: options, medians, and running a PyTorch script from bench/pytorch.</summary>
internal static class BenchSupport
{
    public static int Int(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string String(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// <paramref name="samples"/> random 28×28 images in [0, 1) with random labels 0..9, seeded: throughput does not
    /// depend on the values, and the same data serves every round.
    /// </summary>
    public static (Tensor X, Tensor Y) SyntheticImages(int samples)
    {
        var random = new Random(0);
        var x = new Tensor(new Shape(samples, 28, 28));
        var y = new Tensor(new Shape(samples));
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < samples; i++) y[i] = random.Next(10);
        return (x, y);
    }

    /// <summary>bench/pytorch/<paramref name="fileName"/>, searched upwards from the working and the program directory.</summary>
    public static string? FindScript(string fileName)
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, "bench", "pytorch", fileName);
                if (File.Exists(candidate)) return candidate;
            }
        }
        Console.Error.WriteLine($"bench/pytorch/{fileName} not found; PyTorch figures are skipped.");
        return null;
    }

    /// <summary>Runs a PyTorch script and parses the JSON it prints; null (with the reason on stderr) when it cannot run.</summary>
    public static JsonElement? RunPython(string python, string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        if (MachineInfo.Limited)
        {
            // Strata runs narrower than the CPU allows (a DOTNET_* limit, to measure the AVX2 path on an AVX-512
            // machine): PyTorch's BLAS, ATen and oneDNN are held to AVX2 as well, so both sides use the same ISA.
            start.Environment["OPENBLAS_CORETYPE"] = "Haswell";
            start.Environment["ATEN_CPU_CAPABILITY"] = "avx2";
            start.Environment["ONEDNN_MAX_CPU_ISA"] = "AVX2";
        }
        else
        {
            // This image may pin OpenBLAS to its Haswell kernels for old processors; the machine's notes say to unset
            // the pin (and OPENBLAS_L2_SIZE with it) for a benchmark, in that command alone.
            start.Environment.Remove("OPENBLAS_CORETYPE");
        }
        start.ArgumentList.Add(script);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"{Path.GetFileName(script)} failed ({process.ExitCode}): {error.Trim()}");
                return null;
            }
            using var document = JsonDocument.Parse(output);
            return document.RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"Could not start {python} ({e.Message}); install python3-torch to compare with PyTorch.");
            return null;
        }
    }
}
