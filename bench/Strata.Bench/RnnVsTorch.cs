using System.Diagnostics;
using Strata.Kernels.Parallel;
using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>rnn [--batch 32] [--time 100] [--features 2] [--units 32] [--threads 2] [--rounds 3] [--no-torch]</c>: µs per
/// training step (forward, backward through time, Adam) of SimpleRnn, Lstm and Gru with units → Dense(1) under mean
/// squared error, on one fixed batch [batch, time, features]; PyTorch's nn.RNN/LSTM/GRU with the same model
/// (bench/pytorch/rnn.py) in alternating rounds; medians.
/// </summary>
internal static class RnnVsTorch
{
    private static readonly string[] Kinds = ["simple_rnn", "lstm", "gru"];

    public static int Run(string[] args)
    {
        int batch = BenchSupport.Int(args, "--batch", 32), time = BenchSupport.Int(args, "--time", 100);
        int features = BenchSupport.Int(args, "--features", 2), units = BenchSupport.Int(args, "--units", 32);
        int threads = BenchSupport.Int(args, "--threads", 2), rounds = BenchSupport.Int(args, "--rounds", 3);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        string? script = args.Contains("--no-torch") ? null : BenchSupport.FindScript("rnn.py");
        WorkerPool.ThreadCount = threads;
        MachineInfo.PrintHeader(threads);

        var random = new Random(0);
        var x = new Tensor(new Shape(batch, time, features));
        var y = new Tensor(new Shape(batch, 1));
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < y.Length; i++) y[i] = (float)random.NextDouble();

        var models = Kinds.ToDictionary(k => k, k =>
        {
            Layer layer = k switch
            {
                "simple_rnn" => new SimpleRnn(units, inputShape: [time, features]),
                "lstm" => new Lstm(units, inputShape: [time, features]),
                _ => new Gru(units, inputShape: [time, features]),
            };
            var model = new Sequential(layer, new Dense(1)) { Seed = 1 };
            model.Compile(new Adam(1e-3f), Losses.MeanSquaredError);
            // A second of warm-up: the first steps run tier-0 code until the JIT has recompiled the hot loops.
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 1000) model.TrainOnBatch(x, y);
            return model;
        });

        var strata = Kinds.ToDictionary(k => k, _ => new List<double>());
        var torch = Kinds.ToDictionary(k => k, _ => new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            foreach (string kind in Kinds)
            {
                var times = new List<double>();
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    int count = 0;
                    long start = Stopwatch.GetTimestamp();
                    while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 300)
                    {
                        models[kind].TrainOnBatch(x, y);
                        count++;
                    }
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
                }
                strata[kind].Add(BenchSupport.Median(times));
            }
            string line = $"round {round + 1}: Strata " + string.Join("  ", Kinds.Select(k => $"{k} {strata[k][^1],7:F0} µs"));
            if (script is not null && BenchSupport.RunPython(python, script, "--batch", $"{batch}", "--time", $"{time}",
                    "--features", $"{features}", "--units", $"{units}", "--threads", $"{threads}") is { } json)
            {
                foreach (string kind in Kinds) torch[kind].Add(json.GetProperty("results").GetProperty(kind).GetDouble());
                line += "   PyTorch " + string.Join("  ", Kinds.Select(k => $"{k} {torch[k][^1],7:F0} µs"));
            }
            Console.WriteLine(line);
        }
        Console.WriteLine();
        Console.WriteLine($"| training step, [{batch}, {time}, {features}] → units {units} → Dense(1), Adam, {threads} threads | Strata µs | PyTorch µs | speed-up |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (string kind in Kinds)
        {
            double s = BenchSupport.Median(strata[kind]);
            string t = torch[kind].Count > 0 ? $"{BenchSupport.Median(torch[kind]):F0}" : "(not run)";
            string ratio = torch[kind].Count > 0 ? $"{BenchSupport.Median(torch[kind]) / s:F2}×" : "";
            Console.WriteLine($"| {kind} | {s:F0} | {t} | {ratio} |");
        }
        return 0;
    }
}
