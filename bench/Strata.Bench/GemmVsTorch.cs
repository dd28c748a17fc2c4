using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;

namespace Strata.Bench;

/// <summary>
/// <c>strata-bench gemm [--threads 2] [--rounds 3] [--min-ms 200] [--python /usr/bin/python3] [--no-torch]
/// [--filter text]</c>: Strata's GEMM
/// against torch.mm (bench/pytorch/gemm.py) in the same run. Rounds alternate Strata and PyTorch so that both see
/// the same machine load; each figure is the median over rounds of a median over repeats. The micro-kernel's own
/// peak (L1-resident panels, same thread count) is measured first and is the ceiling the table compares with.
/// </summary>
internal static class GemmVsTorch
{
    private sealed record Shape(string Name, string Variant, int M, int K, int N, float Beta)
    {
        public double Flops => 2.0 * M * K * N;
    }

    private static readonly Shape[] Shapes =
    [
        new("NN 512³", "NN", 512, 512, 512, 0),
        new("NN 1024³", "NN", 1024, 1024, 1024, 0),
        new("NN 2048³", "NN", 2048, 2048, 2048, 0),
        new("NN 32×784·784×300 (Y1=X·W1)", "NN", 32, 784, 300, 0),
        new("NN 32×300·300×100 (Y2=H·W2)", "NN", 32, 300, 100, 0),
        new("NN 32×100·100×10 (Y3=H·W3)", "NN", 32, 100, 10, 0),
        new("NT 32×300·(784×300)ᵀ (dX1=dY·W1ᵀ)", "NT", 32, 300, 784, 0),
        new("NT 32×100·(300×100)ᵀ (dX2=dY·W2ᵀ)", "NT", 32, 100, 300, 0),
        new("TN (32×784)ᵀ·32×300 (dW1+=Xᵀ·dY)", "TN", 784, 32, 300, 1),
        new("TN (32×300)ᵀ·32×100 (dW2+=Hᵀ·dY)", "TN", 300, 32, 100, 1),
        new("NN 256×784·784×300", "NN", 256, 784, 300, 0),
        new("NT 256×300·(784×300)ᵀ", "NT", 256, 300, 784, 0),
        new("TN (256×784)ᵀ·256×300", "TN", 784, 256, 300, 1),
    ];

    public static int Run(string[] args)
    {
        int threads = BenchSupport.Int(args, "--threads", 2);
        int rounds = BenchSupport.Int(args, "--rounds", 3);
        int minMilliseconds = BenchSupport.Int(args, "--min-ms", 200);
        string python = BenchSupport.String(args, "--python", "/usr/bin/python3");
        bool withTorch = !args.Contains("--no-torch");
        string filter = BenchSupport.String(args, "--filter", "");
        Shape[] shapes = Shapes.Where(s => s.Name.Contains(filter, StringComparison.Ordinal)).ToArray();
        WorkerPool.ThreadCount = threads;

        Console.WriteLine($"Strata GEMM vs torch.mm, {threads} threads, {rounds} rounds, ≥{minMilliseconds} ms per repeat");
        MachineInfo.PrintHeader(threads);
        double peakOne = MachineInfo.FmaPeak(1);
        double peakAll = MachineInfo.FmaPeak(threads);
        Console.WriteLine($"FMA peak: {peakOne:F1} GFLOPS on 1 thread, {peakAll:F1} GFLOPS on {threads} threads");

        string? script = withTorch ? BenchSupport.FindScript("gemm.py") : null;
        var strata = shapes.ToDictionary(s => s.Name, _ => new List<double>());
        var torch = shapes.ToDictionary(s => s.Name, _ => new List<double>());
        string torchVersion = "unavailable";
        for (int round = 0; round < rounds; round++)
        {
            foreach (Shape shape in shapes)
                strata[shape.Name].Add(TimeStrata(shape, minMilliseconds));
            if (script is not null && RunTorch(python, script, shapes, threads, minMilliseconds) is { } result)
            {
                torchVersion = result.Version;
                foreach (Shape shape in shapes)
                    torch[shape.Name].Add(result.Rates[shape.Name]);
            }
            Console.WriteLine($"round {round + 1}/{rounds} done");
        }

        Console.WriteLine($"Load average at end: {MachineInfo.LoadAverage}");
        Console.WriteLine();
        Console.WriteLine($"PyTorch {torchVersion} (torch.set_num_threads({threads})); FMA peak {peakAll:F0} GFLOPS on {threads} threads.");
        Console.WriteLine();
        Console.WriteLine("| Shape | Strata GFLOPS | PyTorch GFLOPS | Strata / PyTorch | % of FMA peak |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (Shape shape in shapes)
        {
            double ours = BenchSupport.Median(strata[shape.Name]);
            string theirs = torch[shape.Name].Count > 0 ? BenchSupport.Median(torch[shape.Name]).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
            string ratio = torch[shape.Name].Count > 0 ? (ours / BenchSupport.Median(torch[shape.Name])).ToString("F2", CultureInfo.InvariantCulture) + "×" : "n/a";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Name} | {ours:F1} | {theirs} | {ratio} | {100 * ours / peakAll:F0}% |"));
        }
        return 0;
    }

    /// <summary>Median over five repeats of GFLOPS, each repeat running the product for at least the given time.</summary>
    private static double TimeStrata(Shape shape, int minMilliseconds)
    {
        var random = new Random(1);
        float[] a = RandomValues(random, shape.M * shape.K);
        float[] b = RandomValues(random, shape.K * shape.N);
        float[] c = new float[shape.M * shape.N];
        Action step = shape.Variant switch
        {
            "NN" => () => Gemm.NN(a, b, shape.M, shape.K, shape.N, shape.Beta, c),
            "NT" => () => Gemm.NT(a, b, shape.M, shape.K, shape.N, shape.Beta, c),
            _ => () => Gemm.TN(a, b, shape.M, shape.K, shape.N, shape.Beta, c),
        };
        Repeat(step, minMilliseconds);
        var rates = new List<double>();
        for (int repeat = 0; repeat < 5; repeat++)
        {
            (int iterations, double seconds) = Repeat(step, minMilliseconds);
            rates.Add(shape.Flops * iterations / seconds / 1e9);
        }
        return BenchSupport.Median(rates);
    }

    private static (int Iterations, double Seconds) Repeat(Action step, int minMilliseconds)
    {
        long start = Stopwatch.GetTimestamp();
        long end = start + Stopwatch.Frequency * minMilliseconds / 1000;
        int iterations = 0;
        long now;
        do
        {
            step();
            iterations++;
            now = Stopwatch.GetTimestamp();
        }
        while (now < end);
        return (iterations, (now - start) / (double)Stopwatch.Frequency);
    }

    private sealed record TorchResult(string Version, Dictionary<string, double> Rates);

    private static TorchResult? RunTorch(string python, string script, Shape[] selected, int threads, int minMilliseconds)
    {
        string shapes = JsonSerializer.Serialize(selected.Select(s => new
        {
            name = s.Name,
            variant = s.Variant,
            m = s.M,
            k = s.K,
            n = s.N,
            beta = (int)s.Beta,
        }));
        if (BenchSupport.RunPython(python, script, shapes, "--threads", threads.ToString(CultureInfo.InvariantCulture),
                "--repeats", "5", "--min-seconds", (minMilliseconds / 1000.0).ToString(CultureInfo.InvariantCulture)) is not { } json)
            return null;
        var rates = new Dictionary<string, double>();
        foreach (JsonProperty property in json.GetProperty("results").EnumerateObject())
            rates[property.Name] = property.Value.GetDouble();
        return new TorchResult(json.GetProperty("torch").GetString() ?? "?", rates);
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextSingle() * 2 - 1;
        return values;
    }

}
