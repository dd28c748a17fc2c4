using System.Diagnostics;
using System.Globalization;
using Strata.Kernels.Parallel;
using Strata.Optimizers;

namespace Strata.Bench;

/// <summary>
/// <c>fold [--model mlp-bn] [--batch-sizes 1,32,256] [--rounds 15] [--seconds 0.25]</c>: inference samples/s
/// (Predict) of a preset before and after <see cref="Model.FoldBatchNormalization()"/>. Each round measures both
/// models back to back at every batch size, each for about <c>--seconds</c>, so that a slow patch of the machine hits
/// both; the table gives the medians and the median of the rounds' speed-ups with its interquartile range, and calls
/// a speed-up whose range holds 1 within noise.
/// </summary>
internal static class FoldingSpeed
{
    public static int Run(string[] args)
    {
        string modelName = BenchSupport.String(args, "--model", "mlp-bn");
        int[] batchSizes = [.. BenchSupport.String(args, "--batch-sizes", "1,32,256").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))];
        int rounds = BenchSupport.Int(args, "--rounds", 15);
        double seconds = double.Parse(BenchSupport.String(args, "--seconds", "0.25"), CultureInfo.InvariantCulture);
        WorkerPool.ThreadCount = BenchSupport.Int(args, "--threads", 2);
        MachineInfo.PrintHeader(WorkerPool.ThreadCount);

        int samples = Math.Max(batchSizes.Max(), modelName == "mlp-bn" ? 8192 : 1024);
        var (x, y) = BenchSupport.SyntheticImages(samples);
        var model = Presets.Create(modelName, seed: 0);
        model.Compile(new Sgd(0.01f), Losses.SparseCategoricalCrossentropy);
        model.Fit(x, y, epochs: 1, batchSize: 64, seed: 0, dropLastPartialBatch: true, verbose: 0);
        var folded = model.FoldBatchNormalization(out IReadOnlyList<string> kept);
        foreach (string note in kept) Console.WriteLine($"kept: {note}");

        // The samples each batch size predicts: up to 64 batches of the data, cut once.
        var inputs = batchSizes.ToDictionary(b => b, b => Slice(x, Math.Min(samples, b * 64)));
        var withBn = batchSizes.ToDictionary(b => b, _ => new List<double>());
        var without = batchSizes.ToDictionary(b => b, _ => new List<double>());
        foreach (int b in batchSizes) // warm-up: every code path compiled before the first timed round
        {
            Rate(model, inputs[b], b, seconds / 5);
            Rate(folded, inputs[b], b, seconds / 5);
        }
        for (int round = 0; round < rounds; round++)
        {
            foreach (int b in batchSizes)
            {
                withBn[b].Add(Rate(model, inputs[b], b, seconds));
                without[b].Add(Rate(folded, inputs[b], b, seconds));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: {string.Join("   ", batchSizes.Select(b => $"batch {b}: {withBn[b][^1]:F0} → {without[b][^1]:F0}"))}"));
        }

        Console.WriteLine();
        Console.WriteLine("| model | batch | samples/s with BN | folded | speed-up (median of rounds) | P25–P75 | |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (int b in batchSizes)
        {
            var ratios = withBn[b].Zip(without[b], (a, f) => f / a).ToArray();
            double low = Quantile(ratios, 0.25), high = Quantile(ratios, 0.75);
            string verdict = low <= 1 && 1 <= high ? "within noise" : high < 1 ? "slower" : "faster";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {modelName} | {b} | {BenchSupport.Median(withBn[b]):N0} | {BenchSupport.Median(without[b]):N0} | {BenchSupport.Median(ratios):F2}× | {low:F2}–{high:F2} | {verdict} |"));
        }
        return 0;
    }

    /// <summary>The first <paramref name="count"/> images of <paramref name="x"/>.</summary>
    private static Tensor Slice(Tensor x, int count) =>
        count == x.Shape[0] ? x : Tensor.FromArray(new Shape(count, 28, 28), x.Span[..(count * 28 * 28)].ToArray());

    /// <summary>Samples/s of Predict at <paramref name="batchSize"/>, over whole passes of <paramref name="x"/>, for at least <paramref name="seconds"/>.</summary>
    private static double Rate(Model model, Tensor x, int batchSize, double seconds)
    {
        long done = 0;
        long start = Stopwatch.GetTimestamp();
        do
        {
            model.Predict(x, batchSize);
            done += x.Shape[0];
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds);
        return done / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The <paramref name="q"/>-quantile by linear interpolation between order statistics.</summary>
    private static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
