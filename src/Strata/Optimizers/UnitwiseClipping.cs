using Strata.Kernels;
using Strata.Kernels.Parallel;

namespace Strata.Optimizers;

/// <summary>
/// Adaptive gradient clipping (<see cref="Optimizer.Agc"/>) over one model's parameter slab, planned once: which
/// weights are clipped, the unit axis of each, and the scratch the per-unit sums need. The formula and the unit
/// axis are those of <see cref="UnitwiseClipKernels"/>; this class only decides where they run.
/// <para>
/// Left out: the weights of the final layer (<see cref="Optimizer.AgcExcludeLast"/>; Brock et al. found it better not
/// to clip the final linear layer, and early ports that clipped it trained worse) — the weights whose layer (the name
/// before the '/') is that of the last trainable weight — and any weight named in <see cref="Optimizer.AgcExclude"/>.
/// </para>
/// <para>
/// A weight large enough to be split across threads (<see cref="RowPartition"/>) runs on the threads that own its
/// rows in the forward, backward and update passes; each part sums its rows into its own [2, units] block, and the
/// blocks are added in part order. The parts follow the machine, not the thread count, so the clipped gradients are
/// the same bit for bit on any number of threads.
/// </para>
/// </summary>
internal sealed class UnitwiseClipping
{
    private readonly Planned[] _weights;
    private readonly double[] _sums;
    private readonly float[] _scales;
    private readonly float _clipping, _epsilon;

    /// <summary>One clipped weight: where it is in the slab, its units, and how the slab splits its first axis.</summary>
    private readonly record struct Planned(int Offset, int Size, int Units, bool OneElementUnits, int FirstRows, int Parts);

    public UnitwiseClipping(ParameterSlab slab, float clipping, float epsilon, bool excludeLast, IReadOnlyList<string> exclude)
    {
        _clipping = clipping;
        _epsilon = epsilon;
        var weights = slab.Weights;
        foreach (string name in exclude)
        {
            if (!weights.Any(w => Names(w, name)))
                throw new InvalidOperationException(
                    $"AgcExclude names '{name}', which is neither a trainable weight nor a layer with trainable weights of this model (its weights: {string.Join(", ", weights.Select(w => w.Name))}).");
        }
        string? last = excludeLast && weights.Length > 0 ? LayerOf(weights[^1].Name) : null;
        var planned = new List<Planned>();
        for (int i = 0; i < weights.Length; i++)
        {
            var w = weights[i];
            if (w.Size == 0 || (last is not null && LayerOf(w.Name) == last) || exclude.Any(name => Names(w, name))) continue;
            var shape = w.Shape;
            bool oneElement = shape.Rank <= 1;
            int firstRows = shape.Rank == 0 ? 1 : shape[0];
            planned.Add(new Planned(slab.OffsetOf(i), w.Size, oneElement ? 1 : shape[^1], oneElement, firstRows,
                RowPartition.Parts(w.Size, firstRows)));
        }
        _weights = [.. planned];
        _sums = new double[_weights.Where(p => !p.OneElementUnits).Select(p => p.Parts * 2 * p.Units).DefaultIfEmpty(0).Max()];
        _scales = new float[_weights.Where(p => !p.OneElementUnits).Select(p => p.Units).DefaultIfEmpty(0).Max()];
    }

    /// <summary>How many of the slab's weights are clipped (the rest are excluded).</summary>
    public int ClippedWeights => _weights.Length;

    /// <summary>Clips every planned weight's gradient against its current values, in place.</summary>
    public unsafe void Apply(ParameterSlab slab)
    {
        fixed (float* values = slab.Values, gradients = slab.Gradients)
        fixed (double* sums = _sums)
        fixed (float* scales = _scales)
        {
            foreach (var p in _weights)
            {
                var w = new ReadOnlySpan<float>(values + p.Offset, p.Size);
                var g = new Span<float>(gradients + p.Offset, p.Size);
                if (p.OneElementUnits)
                {
                    UnitwiseClipKernels.ClampToWeights(w, g, _clipping, _epsilon);
                    continue;
                }
                var unitScales = new Span<float>(scales, p.Units);
                if (p.Parts == 1)
                {
                    var own = new Span<double>(sums, 2 * p.Units);
                    own.Clear();
                    UnitwiseClipKernels.AccumulateUnitSquares(w, g, own);
                    UnitwiseClipKernels.UnitScales(own, 1, _clipping, _epsilon, unitScales);
                    UnitwiseClipKernels.ScaleUnits(g, unitScales);
                    continue;
                }
                var body = new PartBody
                {
                    W = values + p.Offset, G = gradients + p.Offset, Sums = sums, Scales = scales,
                    FirstRows = p.FirstRows, RowSize = p.Size / p.FirstRows, Units = p.Units, Parts = p.Parts,
                };
                WorkerPool.RunPinned(p.Parts, ref body);
                UnitwiseClipKernels.UnitScales(new ReadOnlySpan<double>(sums, p.Parts * 2 * p.Units), p.Parts, _clipping, _epsilon, unitScales);
                body.Scale = true;
                WorkerPool.RunPinned(p.Parts, ref body);
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is the weight's own name or its layer's.</summary>
    private static bool Names(Weight weight, string name) => weight.Name == name || LayerOf(weight.Name) == name;

    private static string LayerOf(string weightName) => weightName[..Math.Max(0, weightName.LastIndexOf('/'))];

    /// <summary>Part p of a split weight: its rows' per-unit sums into block p, or (<see cref="Scale"/>) its rows scaled.</summary>
    private unsafe struct PartBody : WorkerPool.IChunkBody
    {
        public float* W, G, Scales;
        public double* Sums;
        public int FirstRows, RowSize, Units, Parts;
        public bool Scale;

        public readonly void Execute(int part)
        {
            var (start, count) = RowPartition.Rows(FirstRows, Parts, part);
            long at = (long)start * RowSize;
            int length = count * RowSize;
            var g = new Span<float>(G + at, length);
            if (Scale)
            {
                UnitwiseClipKernels.ScaleUnits(g, new ReadOnlySpan<float>(Scales, Units));
                return;
            }
            var block = new Span<double>(Sums + (long)part * 2 * Units, 2 * Units);
            block.Clear();
            UnitwiseClipKernels.AccumulateUnitSquares(new ReadOnlySpan<float>(W + at, length), g, block);
        }
    }
}
