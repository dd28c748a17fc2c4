using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>frozen [--batch-size 64] [--samples 8192] [--epochs 3] [--rounds 5] [--threads 2] [--python /usr/bin/python3] [--no-torch]</c>:
/// training a new head on a frozen convolutional base, the cnn-bn preset's convolutions up to Flatten frozen and its
/// Dense → BN → ReLU → Dropout → Dense head trained with Adam(0.001). Strata with the frozen features cached
/// (<see cref="Model.FrozenFeatureCacheLimit"/>, the default) and without (limit 0), each a Fit of several epochs so
/// the one pass that fills the cache is counted, and PyTorch running the base under <c>no_grad</c> in eval mode every
/// step (bench/pytorch/train_mlp.py --cnn --frozen-base), in interleaved rounds; the table gives medians of samples/s.
/// </summary>
internal static class FrozenFeatures
{
    public static int Run(string[] args)
    {
        int batchSize = BenchSupport.Int(args, "--batch-size", 64);
        int samples = BenchSupport.Int(args, "--samples", 8192);
        int epochs = BenchSupport.Int(args, "--epochs", 3);
        int rounds = BenchSupport.Int(args, "--rounds", 5);
        int threads = BenchSupport.Int(args, "--threads", 2);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        bool withTorch = !args.Contains("--no-torch");
        WorkerPool.ThreadCount = threads;
        MachineInfo.PrintHeader(threads);

        var (x, y) = BenchSupport.SyntheticImages(samples);
        Sequential Frozen(long cacheLimit)
        {
            var model = Presets.CreateSequential("cnn-bn", seed: 0);
            model.Freeze(..(model.Layers.ToList().FindIndex(l => l is Flatten) + 1));
            model.FrozenFeatureCacheLimit = cacheLimit;
            model.Compile(new Adam(0.001f), Losses.SparseCategoricalCrossentropy);
            return model;
        }
        var cached = Frozen(1L << 30);
        var uncached = Frozen(0);
        double Rate(Sequential model, int seed)
        {
            long start = Stopwatch.GetTimestamp();
            model.Fit(x, y, epochs: epochs, batchSize: batchSize, seed: seed, dropLastPartialBatch: true, verbose: 0);
            return epochs * (samples / batchSize * batchSize) / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Rate(cached, 0); // warm-up: JIT and buffers
        Rate(uncached, 0);

        string? script = withTorch ? BenchSupport.FindScript("train_mlp.py") : null;
        List<double> a = [], b = [], torch = [];
        Console.WriteLine($"A new head on cnn-bn's frozen convolutions, batch {batchSize}, {samples} samples, {epochs} epochs per Fit, {threads} threads");
        for (int round = 0; round < rounds; round++)
        {
            a.Add(Rate(cached, round + 1));
            b.Add(Rate(uncached, round + 1));
            string line = $"round {round + 1}: cached {a[^1],9:F0}   uncached {b[^1],9:F0} samples/s";
            if (script is not null && TrainingVsTorch.RunTorch(python, script, batchSize, samples, threads, "--cnn", "--frozen-base") is { } rates)
            {
                torch.AddRange(rates);
                line += $"   PyTorch {string.Join(" ", rates.Select(r => $"{r,7:F0}"))}";
            }
            Console.WriteLine(line);
        }
        double ma = BenchSupport.Median(a), mb = BenchSupport.Median(b);
        Console.WriteLine();
        Console.WriteLine("| batch | Strata cached (samples/s) | Strata uncached | PyTorch (no_grad base) | cached ÷ uncached | cached ÷ PyTorch | uncached ÷ PyTorch |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        if (torch.Count > 0)
        {
            double t = BenchSupport.Median(torch);
            Console.WriteLine($"| {batchSize} | {ma:F0} | {mb:F0} | {t:F0} | {ma / mb:F2}× | {ma / t:F2}× | {mb / t:F2}× |");
        }
        else
        {
            Console.WriteLine($"| {batchSize} | {ma:F0} | {mb:F0} | (not run) | {ma / mb:F2}× | | |");
        }
        return 0;
    }
}
