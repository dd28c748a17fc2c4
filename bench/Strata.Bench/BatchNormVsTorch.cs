using System.Diagnostics;
using System.Text.Json;
using Strata.Kernels.Parallel;
using Strata.Layers;

namespace Strata.Bench;

/// <summary>
/// <c>batchnorm [--threads 2] [--rounds 3] [--min-ms 200] [--python /usr/bin/python3] [--no-torch]</c>:
/// BatchNormalization forward + backward in training mode, Strata against PyTorch (bench/pytorch/batchnorm.py)
/// in the same run, on the shapes of the BN issue. Rounds alternate the two; each figure is a median.
/// </summary>
internal static class BatchNormVsTorch
{
    private static readonly int[][] Shapes = [[32, 300], [256, 784], [64, 14, 14, 64]];

    public static int Run(string[] args)
    {
        int threads = BenchSupport.Int(args, "--threads", 2);
        int rounds = BenchSupport.Int(args, "--rounds", 3);
        int minMilliseconds = BenchSupport.Int(args, "--min-ms", 200);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        string? script = args.Contains("--no-torch") ? null : BenchSupport.FindScript("batchnorm.py");
        WorkerPool.ThreadCount = threads;
        MachineInfo.PrintHeader(threads);

        var strata = Shapes.Select(_ => new List<double>()).ToArray();
        var torch = Shapes.Select(_ => new List<double>()).ToArray();
        Console.WriteLine($"BatchNormalization forward + backward (training), {threads} threads, {rounds} rounds");
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < Shapes.Length; i++) strata[i].Add(TimeStrata(Shapes[i], minMilliseconds));
            if (script is not null && BenchSupport.RunPython(python, script, JsonSerializer.Serialize(Shapes), "--threads", $"{threads}",
                    "--min-seconds", $"{minMilliseconds / 1000.0}") is { } json)
            {
                for (int i = 0; i < Shapes.Length; i++)
                    torch[i].Add(json.GetProperty("results").GetProperty(Key(Shapes[i])).GetDouble());
            }
        }

        Console.WriteLine();
        Console.WriteLine("| shape (NHWC) | Strata µs | PyTorch µs | speed-up |");
        Console.WriteLine("| --- | --- | --- | --- |");
        for (int i = 0; i < Shapes.Length; i++)
        {
            double s = BenchSupport.Median(strata[i]);
            string t = torch[i].Count > 0 ? $"{BenchSupport.Median(torch[i]):F1}" : "(not run)";
            string ratio = torch[i].Count > 0 ? $"{BenchSupport.Median(torch[i]) / s:F2}×" : "";
            Console.WriteLine($"| {Key(Shapes[i])} | {s:F1} | {t} | {ratio} |");
        }
        return 0;
    }

    private static string Key(int[] shape) => string.Join('×', shape);

    /// <summary>Median µs of one forward + backward over repeats of at least <paramref name="minMilliseconds"/>.</summary>
    private static double TimeStrata(int[] shape, int minMilliseconds)
    {
        var bn = new BatchNormalization();
        bn.Build(new Shape(shape[1..]), new Random(1));
        var random = new Random(2);
        var x = new Tensor(new Shape(shape));
        var dy = new Tensor(new Shape(shape));
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextDouble();
            dy[i] = (float)random.NextDouble() - 0.5f;
        }
        void Step()
        {
            bn.Forward(x, training: true);
            bn.Backward(dy);
        }
        for (int i = 0; i < 20; i++) Step();
        var times = new List<double>();
        for (int repeat = 0; repeat < 5; repeat++)
        {
            int count = 0;
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < minMilliseconds)
            {
                Step();
                count++;
            }
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
        }
        return BenchSupport.Median(times);
    }
}
