using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Layers;

namespace Strata.Bench;

/// <summary>
/// <c>conv [--threads 2] [--rounds 3]</c>: Conv2D forward + backward (dX, dW, db) on [64, 28, 28, 32] → 64 filters
/// 3×3 "same", Strata against PyTorch's conv2d (bench/pytorch/conv.py) in alternating rounds; medians.
/// </summary>
internal static class ConvVsTorch
{
    public static int Run(string[] args)
    {
        int threads = BenchSupport.Int(args, "--threads", 2);
        int rounds = BenchSupport.Int(args, "--rounds", 3);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        string? script = args.Contains("--no-torch") ? null : BenchSupport.FindScript("conv.py");
        WorkerPool.ThreadCount = threads;
        MachineInfo.PrintHeader(threads);

        var conv = new Conv2D(64, 3, padding: "same");
        var outShape = conv.Build(new Shape(28, 28, 32), new Random(1));
        var random = new Random(2);
        var x = new Tensor(new Shape(64, 28, 28, 32));
        var dy = new Tensor(outShape.WithBatch(64));
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < dy.Length; i++) dy[i] = (float)random.NextDouble() - 0.5f;
        void Step()
        {
            conv.Forward(x, training: true);
            conv.Backward(dy);
        }
        for (int i = 0; i < 3; i++) Step();

        var strata = new List<double>();
        var torch = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            var times = new List<double>();
            for (int repeat = 0; repeat < 5; repeat++)
            {
                int count = 0;
                long start = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 500)
                {
                    Step();
                    count++;
                }
                times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
            }
            strata.Add(BenchSupport.Median(times));
            string line = $"round {round + 1}: Strata {strata[^1],9:F0} µs";
            if (script is not null && BenchSupport.RunPython(python, script, "--threads", $"{threads}") is { } json)
            {
                torch.Add(json.GetProperty("microseconds").GetDouble());
                line += $"   PyTorch {torch[^1],9:F0} µs";
            }
            Console.WriteLine(line);
        }
        double s = BenchSupport.Median(strata);
        double flops = 3 * 2.0 * 64 * 28 * 28 * 64 * 9 * 32; // forward, dX and dW products
        Console.WriteLine();
        double peak = MachineInfo.FmaPeak(threads);
        Console.WriteLine("| Conv2D fwd+bwd, [64, 28, 28, 32] → 64, 3×3 same | Strata µs | PyTorch µs | speed-up | Strata GFLOPS (% of peak) | PyTorch GFLOPS (% of peak) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        double tm = torch.Count > 0 ? BenchSupport.Median(torch) : double.NaN;
        string t = torch.Count > 0 ? $"{tm:F0}" : "(not run)";
        string ratio = torch.Count > 0 ? $"{tm / s:F2}×" : "";
        string torchRate = torch.Count > 0 ? $"{flops / tm / 1e3:F1} ({flops / tm / 1e3 / peak:P0})" : "";
        Console.WriteLine($"| {threads} threads | {s:F0} | {t} | {ratio} | {flops / s / 1e3:F1} ({flops / s / 1e3 / peak:P0}) | {torchRate} |");
        return 0;
    }
}
