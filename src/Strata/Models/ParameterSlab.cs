using System.Runtime.InteropServices;
using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Optimizers;

namespace Strata;

/// <summary>
/// All trainable weights of a model in one flat array, and their gradients in a mirrored one
/// (llm.c's layout): a global norm, a NaN check or an optimizer update is one pass over memory.
/// Each pass is split the way the layers split their products (<see cref="RowPartition"/>): a large weight's
/// rows belong to the same thread in the forward pass, the backward pass and these passes, so they stay in
/// that core's cache; small weights stay with the calling thread.
/// </summary>
internal sealed class ParameterSlab
{
    private readonly int[] _offsets;
    private int _rangesForThreads = -1;
    private int[] _rangeIndex = [];  // ranges of participant p: pairs _rangeIndex[p] .. _rangeIndex[p + 1] − 1
    private int[] _rangePairs = [];  // (offset, length), flattened
    private int[] _rangeWeight = []; // the weight each range belongs to
    private double[] _rangeSums = []; // Σg² of each range, from the last GradientSumOfSquares
    private float[] _rangeRates = []; // the learning-rate scale of each range's weight, read at each update
    private int[] _rangeOrder = [];  // the ranges in slab order, whatever participant owns them

    private ParameterSlab(Weight[] weights, int[] offsets, float[] values, float[] gradients)
    {
        Weights = weights;
        _offsets = offsets;
        Values = values;
        Gradients = gradients;
    }

    /// <summary>The trainable weights, in model order; each is a view into the slabs.</summary>
    public Weight[] Weights { get; }

    /// <summary>Where weight <paramref name="index"/> (of <see cref="Weights"/>) starts in the slabs.</summary>
    public int OffsetOf(int index) => _offsets[index];

    /// <summary>Every trainable value.</summary>
    public float[] Values { get; }

    /// <summary>Every gradient, at the same offsets as <see cref="Values"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>
    /// Moves back into this slab every weight that another model's slab took since (a layer in two models: both pack
    /// the same Weight objects, and the last to pack holds them), keeping its current values. The layout stays as it
    /// was, and with it the optimizer's state. A reference comparison per weight when nothing moved.
    /// </summary>
    public void Reclaim()
    {
        for (int i = 0; i < Weights.Length; i++)
            if (!Weights[i].IsBoundTo(Values, _offsets[i])) Weights[i].Rebind(Values, _offsets[i], Gradients, _offsets[i]);
    }

    /// <summary>Moves the weights into fresh slabs, keeping their values.</summary>
    public static ParameterSlab Pack(IEnumerable<Weight> trainable)
    {
        var weights = trainable.ToArray();
        long total = weights.Sum(w => (long)w.Size);
        if (total > Shape.MaxSize)
            throw new InvalidOperationException($"The model has {total} trainable parameters; at most {Shape.MaxSize} fit one slab.");
        var values = new float[total];
        var gradients = new float[total];
        var offsets = new int[weights.Length];
        int offset = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            offsets[i] = offset;
            weights[i].Rebind(values, offset, gradients, offset);
            offset += weights[i].Size;
        }
        return new ParameterSlab(weights, offsets, values, gradients);
    }

    /// <summary>Sets every gradient to zero (the start of a step; layers accumulate).</summary>
    public void ZeroGradients() => Run(SlabOp.Clear, null);

    /// <summary>
    /// Σg² over all gradients, in double; NaN or ∞ when any gradient is. When <paramref name="perWeight"/> is given
    /// (one slot per weight) it receives each weight's own Σg² from the same pass.
    /// </summary>
    public double GradientSumOfSquares(Span<double> perWeight = default)
    {
        EnsureRanges();
        Run(SlabOp.SumOfSquares, null, _rangeSums);
        double sum = 0;
        if (!perWeight.IsEmpty) perWeight[..Weights.Length].Clear();
        // In slab order: the sum of the parts is then the same whichever threads own them.
        foreach (int r in _rangeOrder)
        {
            sum += _rangeSums[r];
            if (!perWeight.IsEmpty) perWeight[_rangeWeight[r]] += _rangeSums[r];
        }
        return sum;
    }

    /// <summary>g ← clamp(g, −c, c), each range on the thread that owns it (value clipping).</summary>
    public void ClampGradients(float clipValue) => Run(SlabOp.Clamp, null, scalar: clipValue);

    /// <summary>Hands every range of the slab to <see cref="Optimizer.UpdateRange"/>, each on the thread that owns it.</summary>
    public void Update(Optimizer optimizer)
    {
        EnsureRanges();
        for (int r = 0; r < _rangeRates.Length; r++) _rangeRates[r] = Weights[_rangeWeight[r]].LearningRateScale;
        Run(SlabOp.Update, optimizer);
    }

    private unsafe void Run(SlabOp op, Optimizer? optimizer, Span<double> rangeSums = default, float scalar = 0)
    {
        EnsureRanges();
        // Participants past the last one that owns a range have nothing to do: a model of small weights runs on the
        // calling thread alone instead of waking a worker three times a step for nothing (on a busy machine each wake
        // can wait for a time slice: `bench rnn` on a loaded machine, SimpleRnn(32) steps took 2.0 ms with the idle
        // wakes and 0.4 ms without).
        int participants = _rangeIndex.Length - 1;
        while (participants > 1 && _rangeIndex[participants] == _rangeIndex[participants - 1]) participants--;
        var handle = optimizer is null ? default : GCHandle.Alloc(optimizer);
        try
        {
            fixed (float* values = Values, gradients = Gradients)
            fixed (int* index = _rangeIndex, pairs = _rangePairs)
            fixed (double* sums = rangeSums)
            fixed (float* rates = _rangeRates)
            {
                var body = new Body
                {
                    Op = op, Values = values, Gradients = gradients, Index = index, Pairs = pairs, Partial = sums, Rates = rates,
                    Optimizer = optimizer is null ? 0 : GCHandle.ToIntPtr(handle),
                    Scalar = scalar,
                };
                WorkerPool.RunPinned(participants, ref body);
            }
        }
        finally
        {
            if (optimizer is not null) handle.Free();
        }
    }

    /// <summary>Splits each weight as <see cref="RowPartition"/> does; part p belongs to participant p mod threads.</summary>
    private void EnsureRanges()
    {
        int threads = WorkerPool.ThreadCount;
        if (threads == _rangesForThreads) return;
        var perParticipant = Enumerable.Range(0, threads).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < Weights.Length; i++)
        {
            var w = Weights[i];
            int rows = w.Shape.Rank == 0 ? 1 : w.Shape[0];
            int rowSize = rows == 0 ? 0 : w.Size / rows;
            int parts = RowPartition.Parts(w.Size, rows);
            for (int p = 0; p < parts; p++)
            {
                var (start, count) = RowPartition.Rows(rows, parts, p);
                var owner = perParticipant[p % threads];
                owner.Add(_offsets[i] + start * rowSize);
                owner.Add(count * rowSize);
                owner.Add(i);
            }
        }
        _rangeIndex = new int[threads + 1];
        for (int p = 0; p < threads; p++) _rangeIndex[p + 1] = _rangeIndex[p] + perParticipant[p].Count / 3;
        var triples = perParticipant.SelectMany(l => l).ToArray();
        int ranges = triples.Length / 3;
        _rangePairs = new int[2 * ranges];
        _rangeWeight = new int[ranges];
        for (int r = 0; r < ranges; r++)
        {
            _rangePairs[2 * r] = triples[3 * r];
            _rangePairs[2 * r + 1] = triples[3 * r + 1];
            _rangeWeight[r] = triples[3 * r + 2];
        }
        _rangeSums = new double[ranges];
        _rangeRates = new float[ranges];
        _rangeOrder = Enumerable.Range(0, ranges).OrderBy(r => _rangePairs[2 * r]).ToArray();
        _rangesForThreads = threads;
    }

    private enum SlabOp { Clear, SumOfSquares, Update, Clamp }

    private unsafe struct Body : WorkerPool.IChunkBody
    {
        public SlabOp Op;
        public float* Values, Gradients;
        public int* Index, Pairs;
        public double* Partial;
        public float* Rates;
        public nint Optimizer;
        public float Scalar;

        public readonly void Execute(int participant)
        {
            var optimizer = Op == SlabOp.Update ? (Optimizer)GCHandle.FromIntPtr(Optimizer).Target! : null;
            for (int r = Index[participant]; r < Index[participant + 1]; r++)
            {
                int offset = Pairs[2 * r], length = Pairs[2 * r + 1];
                var g = new Span<float>(Gradients + offset, length);
                switch (Op)
                {
                    case SlabOp.Clear:
                        g.Clear();
                        break;
                    case SlabOp.SumOfSquares:
                        Partial[r] = ClipKernels.SumOfSquares(g);
                        break;
                    case SlabOp.Clamp:
                        ClipKernels.ClampInPlace(g, Scalar);
                        break;
                    case SlabOp.Update:
                        optimizer!.UpdateRange(offset, new Span<float>(Values + offset, length), g, Rates[r]);
                        break;
                }
            }
        }
    }
}
