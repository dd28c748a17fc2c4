using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>clipping [--model mlp-bn] [--batch-size 32] [--rounds 7] [--threads 2]</c>: the cost of globalClipNorm in Fit.
/// Two identical models train on the same synthetic data, one with <c>Sgd(0.01, globalClipNorm: 1)</c>, one
/// without, in alternating rounds; the table gives each one's median µs per step and the overhead.
/// </summary>
internal static class ClippingOverhead
{
    public static int Run(string[] args)
    {
        string modelName = BenchSupport.String(args, "--model", "mlp-bn");
        int batchSize = BenchSupport.Int(args, "--batch-size", 32);
        int rounds = BenchSupport.Int(args, "--rounds", 7);
        int samples = BenchSupport.Int(args, "--samples", 32768);
        WorkerPool.ThreadCount = BenchSupport.Int(args, "--threads", 2);
        MachineInfo.PrintHeader(WorkerPool.ThreadCount);

        var (x, y) = BenchSupport.SyntheticImages(samples);

        var plain = Presets.CreateSequential(modelName, seed: 0);
        plain.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        var clipped = Presets.CreateSequential(modelName, seed: 0);
        clipped.Compile(new Sgd(0.01f, globalClipNorm: 1f), Losses.SparseCategoricalCrossentropy);
        int steps = samples / batchSize;

        double Epoch(Sequential model, int seed)
        {
            long start = Stopwatch.GetTimestamp();
            model.Fit(x, y, epochs: 1, batchSize: batchSize, seed: seed, dropLastPartialBatch: true);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / steps;
        }
        Epoch(plain, 0);
        Epoch(clipped, 0);
        var a = new List<double>();
        var b = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            a.Add(Epoch(plain, round));
            b.Add(Epoch(clipped, round));
            Console.WriteLine($"round {round + 1}: without {a[^1],7:F1} µs/step   with globalClipNorm {b[^1],7:F1} µs/step");
        }
        double ma = BenchSupport.Median(a), mb = BenchSupport.Median(b);
        Console.WriteLine();
        Console.WriteLine("| model | batch | µs/step without | µs/step with globalClipNorm | overhead |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| {modelName} | {batchSize} | {ma:F1} | {mb:F1} | {(mb / ma - 1) * 100:+0.0;-0.0}% |");
        return 0;
    }
}
