using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>fold [--model mlp-bn] [--batch-size 256] [--rounds 5]</c>: inference samples/s (Predict) of a preset before
/// and after <see cref="Sequential.FoldBatchNormalization()"/>, in alternating rounds on the same data.
/// </summary>
internal static class FoldingSpeed
{
    public static int Run(string[] args)
    {
        string modelName = BenchSupport.String(args, "--model", "mlp-bn");
        int batchSize = BenchSupport.Int(args, "--batch-size", 256);
        int rounds = BenchSupport.Int(args, "--rounds", 5);
        int samples = BenchSupport.Int(args, "--samples", modelName == "cnn-bn" ? 4096 : 32768);
        WorkerPool.ThreadCount = BenchSupport.Int(args, "--threads", 2);
        MachineInfo.PrintHeader(WorkerPool.ThreadCount);

        var (x, y) = BenchSupport.SyntheticImages(samples);
        var model = Presets.CreateSequential(modelName, seed: 0);
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 64, seed: 0, dropLastPartialBatch: true);
        var folded = model.FoldBatchNormalization(out var kept);
        foreach (string note in kept) Console.WriteLine($"kept: {note}");

        double Rate(Sequential m)
        {
            long start = Stopwatch.GetTimestamp();
            m.Predict(x, batchSize);
            return samples / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Rate(model);
        Rate(folded);
        var a = new List<double>();
        var b = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            a.Add(Rate(model));
            b.Add(Rate(folded));
            Console.WriteLine($"round {round + 1}: with BN {a[^1],9:F0} samples/s   folded {b[^1],9:F0} samples/s");
        }
        double ma = BenchSupport.Median(a), mb = BenchSupport.Median(b);
        Console.WriteLine();
        Console.WriteLine("| model | batch | inference samples/s with BN | folded | speed-up |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| {modelName} | {batchSize} | {ma:F0} | {mb:F0} | {mb / ma:F2}× |");
        return 0;
    }
}
