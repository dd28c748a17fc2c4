using Strata.Optimizers;

namespace Strata.Tests;

/// <summary>Measures what a repeated step allocates once the JIT has settled.</summary>
internal static class SteadyAllocations
{
    /// <summary>
    /// Bytes the calling thread allocates over <paramref name="steps"/> calls of <paramref name="step"/>, the least of
    /// up to <paramref name="rounds"/> rounds with pauses between them. Methods start unoptimized (tier 0, where a
    /// generic call through a struct may box) and are recompiled in the background once they have run a while, later
    /// when the machine is busy: a steady step is one after that, and a real allocation shows in every round.
    /// </summary>
    public static long Of(Action step, int steps = 10, int rounds = 6)
    {
        long least = long.MaxValue;
        for (int round = 0; round < rounds && least > 0; round++)
        {
            if (round > 0) Thread.Sleep(200);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++) step();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    /// <summary>
    /// What a steady training step of <paramref name="model"/> allocates: compiled with Adam and sparse cross-entropy
    /// (its output a softmax over <paramref name="classes"/>), trained on <paramref name="x"/> with labels
    /// 0, 1, …, classes − 1, 0, … for three warm-up steps, then measured by <see cref="Of"/>.
    /// </summary>
    public static long OfTraining(Sequential model, Tensor x, int classes)
    {
        model.Compile(new Adam(), Losses.SparseCategoricalCrossentropy);
        var y = new Tensor(new Shape(x.Shape[0]));
        for (int i = 0; i < y.Length; i++) y[i] = i % classes;
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        return Of(() => model.TrainOnBatch(x, y));
    }
}
