using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>train [--model mlp|mlp-bn|cnn-bn] [--batch-size 32] [--samples 32768] [--rounds 5] [--threads 2] [--python /usr/bin/python3] [--no-torch]</c>:
/// training throughput (samples/s) of the texts' Fashion-MNIST networks (the CLI's presets: the 784-300-100-10
/// ELU MLP, and with BatchNormalization) with softmax cross-entropy under SGD(0.01), in Strata and in PyTorch (bench/pytorch/train_mlp.py) in the same run.
/// Rounds alternate the two so both see the same machine load; each figure is the median over rounds.
/// Both train on the same amount of synthetic data; throughput does not depend on its values.
/// </summary>
internal static class TrainingVsTorch
{
    public static int Run(string[] args)
    {
        int batchSize = BenchSupport.Int(args, "--batch-size", 32);
        int samples = BenchSupport.Int(args, "--samples", 32768);
        int rounds = BenchSupport.Int(args, "--rounds", 5);
        int threads = BenchSupport.Int(args, "--threads", 2);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        bool withTorch = !args.Contains("--no-torch");
        string modelName = BenchSupport.String(args, "--model", "mlp");
        bool batchNorm = modelName == "mlp-bn";
        bool cnn = modelName == "cnn-bn";
        WorkerPool.ThreadCount = threads;
        MachineInfo.PrintHeader(threads);

        var (x, y) = BenchSupport.SyntheticImages(samples);

        var model = Presets.CreateSequential(modelName, seed: 0);
        model.Compile(cnn ? new Adam(0.001f) : new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: batchSize, seed: 0, dropLastPartialBatch: true); // warm-up: JIT and buffers

        string? script = withTorch ? BenchSupport.FindScript("train_mlp.py") : null;
        var strata = new List<double>();
        var torch = new List<double>();
        Console.WriteLine($"Training throughput, {modelName}, batch {batchSize}, {samples} samples per round, {threads} threads");
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Fit(x, y, epochs: 1, batchSize: batchSize, seed: round, dropLastPartialBatch: true);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            strata.Add(samples / batchSize * batchSize / seconds);
            string line = $"round {round + 1}: Strata {strata[^1],9:F0} samples/s";
            if (script is not null && RunTorch(python, script, batchSize, samples, threads, batchNorm ? ["--bn"] : cnn ? ["--cnn"] : []) is { } rates)
            {
                torch.AddRange(rates);
                line += $"   PyTorch {string.Join(" ", rates.Select(r => $"{r,7:F0}"))} samples/s";
            }
            Console.WriteLine(line);
        }

        double s = BenchSupport.Median(strata);
        double flops = TrainingFlopsPerSample(model), peak = MachineInfo.FmaPeak(threads);
        Console.WriteLine();
        Console.WriteLine($"Products per sample: {flops / 1e6:F2} MFLOP (forward, weight and input gradients of every Dense and Conv2D); " +
            $"Strata at {s * flops / 1e9:F1} GFLOPS, {s * flops / 1e9 / peak:P0} of the {peak:F1} GFLOPS peak");
        // PyTorch's rate swings between about 12k and 50k samples/s from one epoch to the next on this machine
        // (its OpenMP threads), so the table gives its median and its best epoch, and the ratio to each.
        Console.WriteLine("| model | batch | Strata samples/s (median) | PyTorch median | PyTorch best | ratio to median | ratio to best |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        if (torch.Count > 0)
        {
            double t = BenchSupport.Median(torch), best = torch.Max();
            Console.WriteLine($"| {modelName} | {batchSize} | {s:F0} | {t:F0} | {best:F0} | {s / t:F2}× | {s / best:F2}× |");
        }
        else
        {
            Console.WriteLine($"| {modelName} | {batchSize} | {s:F0} | (not run) | | | |");
        }
        return 0;
    }

    /// <summary>2·(multiply-adds) of the three products of every Dense and Conv2D layer for one sample: the GEMM work of a step.</summary>
    private static double TrainingFlopsPerSample(Sequential model)
    {
        double flops = 0;
        foreach (var layer in model.Layers)
        {
            if (layer is Strata.Layers.Dense dense) flops += 3 * 2.0 * dense.Kernel.Size;
            else if (layer is Strata.Layers.Conv2D conv) flops += 3 * 2.0 * conv.Kernel.Size * conv.OutputShape[0] * conv.OutputShape[1];
        }
        return flops;
    }

    /// <summary>PyTorch's samples/s over three epochs in one process, or null when PyTorch is unavailable.</summary>
    /// <summary>bench/pytorch/train_mlp.py's samples/s of 3 epochs with <paramref name="flags"/> (--bn, --cnn, --frozen-base).</summary>
    internal static double[]? RunTorch(string python, string script, int batchSize, int samples, int threads, params string[] flags)
    {
        string[] arguments = ["--batch-size", $"{batchSize}", "--samples", $"{samples}", "--threads", $"{threads}", "--repeats", "3", .. flags];
        return BenchSupport.RunPython(python, script, arguments) is { } json
            ? json.GetProperty("samples_per_second").EnumerateArray().Select(e => e.GetDouble()).ToArray()
            : null;
    }
}
