using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Batch Normalization (Ioffe &amp; Szegedy 2015) over a tensor viewed as [outer, c, inner]: c features
/// (channels), each normalized over its n = outer·inner values. Channels-last layouts (Dense outputs
/// [N, C], NHWC [N·H·W, C]) have inner = 1 and run as row-wise loops across channels at every vector width; a feature
/// block in the middle (inner &gt; 1) runs on contiguous runs of length inner.
/// Statistics are summed in double and never as E[x²] − E[x]²: channels-last in one pass of sums shifted by a value of
/// the channel, the inner &gt; 1 layout in two passes (mean, then Σ(x − mean)²).
/// Scalar twins are in <see cref="Reference.ReferenceBatchNormKernels"/>.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>
    /// Batch mean and BIASED variance of every channel: μ = Σx/n, σ² = Σ(x − μ)²/n.
    /// <paramref name="accumulator"/> is scratch of at least <see cref="ScratchLength"/> doubles.
    /// </summary>
    public static void Moments(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> accumulator,
        Span<float> mean, Span<float> variance)
    {
        // x: [outer, c, inner]; accumulator: [≥ ScratchLength(outer, c, inner)]; mean, variance: [c]
        Check(x.Length, outer * c * inner, mean.Length, c, variance.Length);
        double scale = 1 / ((double)outer * inner);
        if (inner == 1 && outer > 0 && ShiftedMoments(x, outer, c, accumulator, mean, variance))
            return;
        // The channel sums go to the half of the scratch the per-chunk partial sums leave free.
        var sums = accumulator.Slice(accumulator.Length / 2, c);
        ChannelSums(x, outer, c, inner, [], accumulator, sums);
        for (int f = 0; f < c; f++) mean[f] = (float)(sums[f] * scale);
        ChannelSums(x, outer, c, inner, mean, accumulator, sums);
        for (int f = 0; f < c; f++) variance[f] = (float)(sums[f] * scale);
    }

    /// <summary>
    /// <see cref="Moments"/> of the channels-last layout in one pass over x: with the first row as the shift s (a value
    /// of the channel), S₁ = Σ(x − s) and S₂ = Σ(x − s)² in double give μ = s + S₁/n and σ² = (S₂ − S₁²/n)/n. The
    /// subtraction multiplies the rounding of S₂ (about 1e-16 per added row) by 1 + (μ − s)²/σ², so the pass is kept only
    /// while (μ − s)² ≤ <see cref="MaxShiftRatio"/>·σ² for every channel: then the variance is good to about 1e-16 times
    /// 100 times the rows, far below float's 6e-8. A first row farther out (an outlier) returns false, and the caller
    /// takes the two passes instead. A constant channel gives exactly 0. Unlike Σx² − (Σx)²/n, nothing here depends on
    /// how far the data lie from zero.
    /// </summary>
    private static bool ShiftedMoments(ReadOnlySpan<float> x, int outer, int c, Span<double> accumulator,
        Span<float> mean, Span<float> variance)
    {
        // x: [outer, c]; mean, variance: [c]; accumulator: [≥ ScratchLength(outer, c, 1)]
        var shift = mean;
        x[..c].CopyTo(shift);
        int chunks = RowChunks(outer, c, out int rowsPerChunk);
        var partial = accumulator[..(2 * chunks * c)];
        RunRows(RowOp.ShiftedSums, x, [], shift, [], [], outer, c, rowsPerChunk, chunks, partial, []);
        double n = outer;
        for (int f = 0; f < c; f++)
        {
            double s1 = 0, s2 = 0;
            for (int k = 0; k < chunks; k++)
            {
                s1 += partial[k * c + f];
                s2 += partial[(chunks + k) * c + f];
            }
            double offset = s1 / n, v = (s2 - s1 * offset) / n;
            if (!(offset * offset <= MaxShiftRatio * v) && offset != 0)
                return false;
            variance[f] = (float)Math.Max(v, 0);
            mean[f] = (float)(shift[f] + offset);
        }
        return true;
    }

    /// <summary>How far (in variances) the shift of the one-pass statistics may lie from the mean, squared: 10 standard deviations.</summary>
    private const double MaxShiftRatio = 100;

    /// <summary>
    /// The two sums behind <see cref="Moments"/>, kept in double for statistics pooled over many batches
    /// (<see cref="BatchNormChannelKernels.PoolMoments"/>): sum = Σx, the batch mean μ = (float)(Σx/n) as the shift, and
    /// squaredDeviation = Σ(x − μ)². With the shift, Σ(x − x̄)² = squaredDeviation − n·(x̄ − μ)² for the exact mean x̄ = sum/n.
    /// <paramref name="accumulator"/> is scratch of at least <see cref="ScratchLength"/> doubles.
    /// </summary>
    public static void MomentSums(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> accumulator,
        Span<float> shift, Span<double> sum, Span<double> squaredDeviation)
    {
        // x: [outer, c, inner]; accumulator: [≥ ScratchLength(outer, c, inner)]; shift, sum, squaredDeviation: [c]
        Check(x.Length, outer * c * inner, shift.Length, c, sum.Length);
        Check(squaredDeviation.Length, c, c, c, c);
        double scale = 1 / ((double)outer * inner);
        ChannelSums(x, outer, c, inner, [], accumulator, sum);
        for (int f = 0; f < c; f++) shift[f] = (float)(sum[f] * scale);
        ChannelSums(x, outer, c, inner, shift, accumulator, squaredDeviation);
    }

    /// <summary>
    /// output[f] = Σ x (shift empty) or Σ (x − shift[f])² over channel f's values, in double; the inner = 1 layout sums
    /// row chunks into their own accumulators, combined in chunk order, so the result does not depend on how many
    /// threads ran the chunks. Uses the first half of <paramref name="accumulator"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChannelSums(ReadOnlySpan<float> x, int outer, int c, int inner, ReadOnlySpan<float> shift,
        Span<double> accumulator, Span<double> output)
    {
        bool squares = !shift.IsEmpty;
        if (inner == 1)
        {
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            var partial = accumulator[..(chunks * c)];
            RunRows(squares ? RowOp.SquaredDeviation : RowOp.Sum, x, [], shift, [], [], outer, c, rowsPerChunk, chunks, partial, []);
            Combine(partial, chunks, c, 1, output);
            return;
        }
        var acc = accumulator[..c];
        acc.Clear();
        for (int a = 0; a < outer; a++)
            for (int f = 0; f < c; f++) acc[f] += SumRun(x.Slice((a * c + f) * inner, inner), squares ? shift[f] : 0f, squares);
        acc.CopyTo(output);
    }

    /// <summary>
    /// Per channel Σx and Σx², in double: the partial sums that synchronized Batch Normalization adds up across
    /// processes in one allreduce, after which <see cref="BatchNormChannelKernels.MomentsFromSums"/> gives the global
    /// batch's mean and variance (a shift or a mean taken from this process's batch alone would not be the global one,
    /// so the deviations could not be summed across processes in the same allreduce).
    /// <paramref name="accumulator"/> is scratch of at least <see cref="ScratchLength"/> doubles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sums(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> accumulator,
        Span<double> sum, Span<double> sumOfSquares)
    {
        // x: [outer, c, inner]; accumulator: [≥ ScratchLength(outer, c, inner)]; sum, sumOfSquares: [c]
        Check(x.Length, outer * c * inner, sum.Length, c, sumOfSquares.Length);
        if (inner == 1)
        {
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            var partial = accumulator[..(2 * chunks * c)];
            RunRows(RowOp.ShiftedSums, x, [], [], [], [], outer, c, rowsPerChunk, chunks, partial, []);
            Combine(partial[..(chunks * c)], chunks, c, 1, sum);
            Combine(partial[(chunks * c)..], chunks, c, 1, sumOfSquares);
            return;
        }
        sum.Clear();
        sumOfSquares.Clear();
        for (int a = 0; a < outer; a++)
        {
            for (int f = 0; f < c; f++)
            {
                var run = x.Slice((a * c + f) * inner, inner);
                sum[f] += SumRun(run, 0f, squares: false);
                sumOfSquares[f] += SumRun(run, 0f, squares: true);
            }
        }
    }

    /// <summary>Doubles of scratch the kernels need for a layout (per-chunk partial sums of two reductions).</summary>
    public static int ScratchLength(int outer, int c, int inner) =>
        inner == 1 ? 2 * c * RowChunks(outer, c, out _) : 2 * c;

    /// <summary>
    /// y = x·scale + shift per channel: the whole normalization once scale = γ/√(σ² + ε) and
    /// shift = β − μ·scale are known (training uses the batch statistics, inference the moving ones).
    /// </summary>
    public static void Affine(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        int outer, int c, int inner, Span<float> y)
    {
        // x, y: [outer, c, inner]; scale, shift: [c]
        Check(x.Length, outer * c * inner, scale.Length, c, shift.Length);
        Check(y.Length, x.Length, c, c, c);
        if (inner == 1)
        {
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            RunRows(RowOp.Affine, x, [], scale, shift, [], outer, c, rowsPerChunk, chunks, [], y);
            return;
        }
        for (int a = 0; a < outer; a++)
        {
            for (int f = 0; f < c; f++)
            {
                var run = y.Slice((a * c + f) * inner, inner);
                TensorPrimitives.Multiply(x.Slice((a * c + f) * inner, inner), scale[f], run);
                TensorPrimitives.Add(run, shift[f], run);
            }
        }
    }

    /// <summary>
    /// Per channel Σdy and Σdy·(x − μ), the two reductions of the backward pass, in double.
    /// <paramref name="accumulator"/> is scratch of at least <see cref="ScratchLength"/> doubles.
    /// </summary>
    public static void BackwardSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        int outer, int c, int inner, Span<double> accumulator, Span<float> sumDy, Span<float> sumDyXc) =>
        ReduceBackward(x, dY, mean, outer, c, inner, accumulator, sumDy, sumDyXc);

    /// <summary>
    /// <see cref="BackwardSums(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, Span{double}, Span{float}, Span{float})"/>
    /// kept in double: the partial sums synchronized Batch Normalization adds up across processes.
    /// </summary>
    public static void BackwardSumsInDouble(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        int outer, int c, int inner, Span<double> accumulator, Span<double> sumDy, Span<double> sumDyXc) =>
        ReduceBackward(x, dY, mean, outer, c, inner, accumulator, sumDy, sumDyXc);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ReduceBackward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        int outer, int c, int inner, Span<double> accumulator, Span<T> sumDy, Span<T> sumDyXc) where T : INumberBase<T>
    {
        // x, dY: [outer, c, inner]; mean, sumDy, sumDyXc: [c]; accumulator: [≥ ScratchLength(outer, c, inner)]
        Check(x.Length, outer * c * inner, mean.Length, c, sumDy.Length);
        Check(dY.Length, x.Length, sumDyXc.Length, c, c);
        if (inner == 1)
        {
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            var partial = accumulator[..(2 * chunks * c)];
            RunRows(RowOp.BackwardSums, x, dY, mean, [], [], outer, c, rowsPerChunk, chunks, partial, []);
            Combine(partial[..(chunks * c)], chunks, c, 1, sumDy);
            Combine(partial[(chunks * c)..], chunks, c, 1, sumDyXc);
            return;
        }
        var accDy = accumulator[..c];
        var accDyXc = accumulator.Slice(c, c);
        accDy.Clear();
        accDyXc.Clear();
        fixed (float* px = x, pdy = dY)
        {
            for (int a = 0; a < outer; a++)
            {
                for (int f = 0; f < c; f++)
                {
                    long start = ((long)a * c + f) * inner;
                    accDy[f] += Vectorized.Sum(new RunSum { X = pdy + start }, inner);
                    accDyXc[f] += Vectorized.Sum(new RunProductSum { X = px + start, DY = pdy + start, Mean = mean[f] }, inner);
                }
            }
        }
        for (int f = 0; f < c; f++)
        {
            sumDy[f] = T.CreateTruncating(accDy[f]);
            sumDyXc[f] = T.CreateTruncating(accDyXc[f]);
        }
    }

    /// <summary>
    /// dX = k·dY + m·x + b per channel, the backward pass rearranged so that it is one fused pass:
    /// with x̂ = (x − μ)·invStd, dX = (γ·invStd/n)·(n·dY − Σdy − x̂·Σ(dy·x̂)) gives
    /// k = γ·invStd, m = −γ·invStd³·Σ(dy·(x − μ))/n and b = −γ·invStd·Σdy/n − m·μ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BackwardInput(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> k,
        ReadOnlySpan<float> m, ReadOnlySpan<float> b, int outer, int c, int inner, Span<float> dX)
    {
        // x, dY, dX: [outer, c, inner]; k, m, b: [c]
        Check(x.Length, outer * c * inner, k.Length, c, m.Length);
        Check(dY.Length, x.Length, b.Length, c, c);
        Check(dX.Length, x.Length, c, c, c);
        if (inner == 1)
        {
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            RunRows(RowOp.BackwardInput, x, dY, k, m, b, outer, c, rowsPerChunk, chunks, [], dX);
            return;
        }
        fixed (float* px = x, pdy = dY, pk = k, pm = m, pb = b, pdx = dX)
        {
            for (int a = 0; a < outer; a++)
            {
                for (int f = 0; f < c; f++)
                {
                    long start = ((long)a * c + f) * inner;
                    // The channel's coefficients are constant along the run: stride-0 views of k, m, b would need a
                    // broadcast body, so the run is combined with one coefficient value per call instead.
                    var run = new RunCombine { U = pdy + start, V = px + start, Output = pdx + start, K = pk[f], M = pm[f], B = pb[f] };
                    Vectorized.For(run, inner);
                }
            }
        }
    }

    /// <summary>The row passes of the channels-last layout, run in row chunks on the worker pool.</summary>
    private enum RowOp { Sum, SquaredDeviation, ShiftedSums, Affine, BackwardSums, BackwardInput }

    /// <summary>
    /// Row chunks of about half an L2 of values each (at most 64 chunks): a pass over less data than that is over before
    /// a second core could have pulled its share into its own cache, so Dense-sized tensors stay on one thread. The split
    /// depends only on the shape and the machine's cache, never on the thread count.
    /// </summary>
    private static int RowChunks(int rows, int c, out int rowsPerChunk)
    {
        rowsPerChunk = Math.Max(Math.Max(1, (rows + 63) / 64), (int)((ChunkValues + c - 1) / Math.Max(c, 1)));
        return rows == 0 ? 0 : (rows + rowsPerChunk - 1) / rowsPerChunk;
    }

    private static readonly long ChunkValues = CacheSizes.Machine.L2 / 2 / sizeof(float);

    /// <summary>out[f] = scale·Σ over chunks of partial[chunk, f], summed in chunk order.</summary>
    private static void Combine<T>(ReadOnlySpan<double> partial, int chunks, int c, double scale, Span<T> output) where T : INumberBase<T>
    {
        for (int f = 0; f < c; f++)
        {
            double sum = 0;
            for (int k = 0; k < chunks; k++) sum += partial[k * c + f];
            output[f] = T.CreateTruncating(sum * scale);
        }
    }

    private static unsafe void RunRows(RowOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> p0,
        ReadOnlySpan<float> p1, ReadOnlySpan<float> p2, int rows, int c, int rowsPerChunk, int chunks,
        Span<double> partial, Span<float> output)
    {
        // The arrays are pinned for the whole call: workers read them through these pointers while the caller waits.
        fixed (float* px = x, pdy = dY, pp0 = p0, pp1 = p1, pp2 = p2, pout = output)
        fixed (double* ppart = partial)
        {
            var body = new RowBody
            {
                Op = op, X = px, DY = pdy, P0 = pp0, P1 = pp1, P2 = pp2, Output = pout, Partial = ppart,
                Rows = rows, C = c, RowsPerChunk = rowsPerChunk, Chunks = chunks,
            };
            WorkerPool.Run(chunks, ref body);
        }
    }

    private unsafe struct RowBody : WorkerPool.IChunkBody
    {
        public RowOp Op;
        public float* X, DY, P0, P1, P2, Output;
        public double* Partial;
        public int Rows, C, RowsPerChunk, Chunks;

        public readonly void Execute(int chunk)
        {
            var job = new RowJob { Body = this, Chunk = chunk };
            VectorWidths.Dispatch(ref job);
        }
    }

    /// <summary>One row chunk at the dispatched width.</summary>
    private unsafe struct RowJob : IWidthJob
    {
        public RowBody Body;
        public int Chunk;

        public readonly void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            ref readonly RowBody b = ref Body;
            int r0 = Chunk * b.RowsPerChunk, r1 = Math.Min(b.Rows, r0 + b.RowsPerChunk), c = b.C;
            double* partial = b.Partial + (long)Chunk * c;
            switch (b.Op)
            {
                case RowOp.Sum:
                case RowOp.SquaredDeviation:
                case RowOp.ShiftedSums:
                {
                    var sums = new ColumnSums
                    {
                        X = b.X, Shift = b.Op == RowOp.Sum ? null : b.P0, Op = b.Op, Sum = partial,
                        SumOfSquares = b.Partial + (long)(b.Chunks + Chunk) * c, C = c,
                    };
                    ForRowGroups<ColumnSums, TV, TW>(ref sums, r0, r1, c);
                    break;
                }
                case RowOp.BackwardSums:
                {
                    var sums = new ColumnBackwardSums
                    {
                        X = b.X, DY = b.DY, Mean = b.P0, SumDy = partial, SumDyXc = b.Partial + (long)(b.Chunks + Chunk) * c, C = c,
                    };
                    ForRowGroups<ColumnBackwardSums, TV, TW>(ref sums, r0, r1, c);
                    break;
                }
                case RowOp.Affine:
                case RowOp.BackwardInput:
                {
                    var combine = b.Op == RowOp.Affine
                        ? new RowCombine { U = b.X, K = b.P0, B = b.P1, Output = b.Output }
                        : new RowCombine { U = b.DY, K = b.P0, V = b.X, M = b.P1, B = b.P2, Output = b.Output };
                    CombineRows<TV>(combine, r0, r1, c);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Runs a column pass over rows [r0, r1) in groups of <see cref="RowGroup"/> rows. Each pass is its own method, kept
    /// out of the dispatch: inlined together they outgrow what the JIT inlines, and the vector bodies would become calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ForRowGroups<TBody, TV, TW>(ref TBody body, int r0, int r1, int c)
        where TBody : struct, IRowGroupBody where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
    {
        for (int g = r0; g < r1; g += RowGroup)
        {
            body.SetRows(g, Math.Min(r1, g + RowGroup), first: g == r0);
            Vectorized.ForWide<TBody, TV, TW>(ref body, c);
        }
    }

    /// <summary>out[r, :] = k·u[r, :] + m·v[r, :] + b for rows [r0, r1) of the row-major operands of <paramref name="combine"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CombineRows<TV>(RowCombine combine, int r0, int r1, int c) where TV : unmanaged, IVector<TV>
    {
        for (int r = r0; r < r1; r++)
        {
            long row = (long)r * c;
            var rowCombine = combine with
            {
                U = combine.U + row, V = combine.V == null ? null : combine.V + row, Output = combine.Output + row,
            };
            Vectorized.For<RowCombine, TV>(ref rowCombine, c);
        }
    }

    /// <summary>A column pass that runs over a group of rows at a time (<see cref="ForRowGroups"/>).</summary>
    private interface IRowGroupBody : IWideBody
    {
        /// <summary>Sets the rows [r0, r1) of the next group; <paramref name="first"/> starts the sums from zero.</summary>
        void SetRows(int r0, int r1, bool first);
    }

    /// <summary>
    /// Rows a column pass reads together: the running sums of a vector of channels are loaded once, carried through this
    /// many rows in registers, and stored again. Every row is still added in row order, so the group only saves the
    /// loads and stores of the sums, never changes the result.
    /// </summary>
    private const int RowGroup = 8;

    /// <summary>
    /// Column sums over rows [R0, R1), widened to double before subtracting, added in row order; First starts them from
    /// zero. Op Sum: sum[f] (+)= Σ_r x[r, f]; SquaredDeviation: sum[f] (+)= Σ_r (x[r, f] − shift[f])²; ShiftedSums: both
    /// sum[f] (+)= Σ_r d and sumOfSquares[f] (+)= Σ_r d² with d = x[r, f] − shift[f] (shift 0 when Shift is null). The
    /// pass walks the rows of a group in order across all channels, so the tensor is read as contiguous rows (a column
    /// walk with a stride of C values is latency-bound) while the chunk's sums stay in L1.
    /// </summary>
    private unsafe struct ColumnSums : IRowGroupBody
    {
        public float* X, Shift;
        public double* Sum, SumOfSquares;
        public int R0, R1, C;
        public RowOp Op;
        public bool First;

        public void SetRows(int r0, int r1, bool first) => (R0, R1, First) = (r0, r1, first);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV, TW>(nint f) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            TW shift = Shift != null ? TV.Widen(TV.Load(Shift + f)) : TW.Zero;
            TW sum = First ? TW.Zero : TW.Load(Sum + f);
            float* x = X + (long)R0 * C + f, end = X + (long)R1 * C + f;
            switch (Op)
            {
                case RowOp.Sum:
                    for (; x < end; x += C)
                        sum += TV.Widen(TV.Load(x));
                    break;
                case RowOp.SquaredDeviation:
                    for (; x < end; x += C)
                    {
                        TW d = TV.Widen(TV.Load(x)) - shift;
                        sum += d * d;
                    }
                    break;
                default:
                {
                    TW squares = First ? TW.Zero : TW.Load(SumOfSquares + f);
                    for (; x < end; x += C)
                    {
                        TW d = TV.Widen(TV.Load(x)) - shift;
                        sum += d;
                        squares += d * d;
                    }
                    TW.Store(squares, SumOfSquares + f);
                    break;
                }
            }
            TW.Store(sum, Sum + f);
        }
    }

    /// <summary>
    /// sumDy[f] (+)= Σ_r dy[r, f] and sumDyXc[f] (+)= Σ_r dy[r, f]·(x[r, f] − mean[f]) over rows [R0, R1), in double,
    /// in row order, read row by row as <see cref="ColumnSums"/> reads; First starts the sums from zero.
    /// </summary>
    private unsafe struct ColumnBackwardSums : IRowGroupBody
    {
        public float* X, DY, Mean;
        public double* SumDy, SumDyXc;
        public int R0, R1, C;
        public bool First;

        public void SetRows(int r0, int r1, bool first) => (R0, R1, First) = (r0, r1, first);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV, TW>(nint f) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            TW mean = TV.Widen(TV.Load(Mean + f));
            TW sumDy = First ? TW.Zero : TW.Load(SumDy + f);
            TW sumDyXc = First ? TW.Zero : TW.Load(SumDyXc + f);
            long start = (long)R0 * C + f, offset = (long)(R1 - R0) * C;
            for (float* x = X + start, dy = DY + start, end = x + offset; x < end; x += C, dy += C)
            {
                TW g = TV.Widen(TV.Load(dy));
                sumDy += g;
                sumDyXc = TW.MultiplyAdd(g, TV.Widen(TV.Load(x)) - mean, sumDyXc);
            }
            TW.Store(sumDy, SumDy + f);
            TW.Store(sumDyXc, SumDyXc + f);
        }
    }

    /// <summary>out[f] = k[f]·u[f] + m[f]·v[f] + b[f] along one row (or one run); V and M null give out = k·u + b.</summary>
    private unsafe struct RowCombine : IVectorBody
    {
        public float* U, K, V, M, B, Output;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint f) where TV : unmanaged, IVector<TV>
        {
            var acc = TV.MultiplyAdd(TV.Load(K + f), TV.Load(U + f), TV.Load(B + f));
            if (V != null) acc = TV.MultiplyAdd(TV.Load(M + f), TV.Load(V + f), acc);
            TV.Store(acc, Output + f);
        }
    }

    /// <summary>out = k·u + m·v + b along one run of one channel (the inner &gt; 1 layout).</summary>
    private unsafe struct RunCombine : IVectorBody
    {
        public float* U, V, Output;
        public float K, M, B;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
            => TV.Store(TV.MultiplyAdd(TV.Create(M), TV.Load(V + i), TV.MultiplyAdd(TV.Create(K), TV.Load(U + i), TV.Create(B))), Output + i);
    }

    /// <summary>Σ run or Σ (run − shift)² over one contiguous run (the inner &gt; 1 layout, and <see cref="GroupNormKernels"/>), in double.</summary>
    internal unsafe struct RunSum : IWideReduction
    {
        public float* X;
        public float Shift;
        public bool Squares;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TW Accumulate<TV, TW>(nint i, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            TW d = TV.Widen(TV.Load(X + i)) - TW.Create(Shift);
            return Squares ? TW.MultiplyAdd(d, d, sum) : sum + TV.Widen(TV.Load(X + i));
        }
    }

    /// <summary>Σ dy·(x − mean) over one contiguous run, in double.</summary>
    private unsafe struct RunProductSum : IWideReduction
    {
        public float* X, DY;
        public float Mean;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TW Accumulate<TV, TW>(nint i, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
            => TW.MultiplyAdd(TV.Widen(TV.Load(DY + i)), TV.Widen(TV.Load(X + i)) - TW.Create(Mean), sum);
    }

    private static unsafe double SumRun(ReadOnlySpan<float> run, float shift, bool squares)
    {
        fixed (float* p = run)
            return Vectorized.Sum(new RunSum { X = p, Shift = shift, Squares = squares }, run.Length);
    }

    private static void Check(int length, int expected, int a, int c, int b)
    {
        if (length != expected || a != c || b != c)
            throw new ArgumentException($"BatchNorm kernel spans do not match: length {length} (expected {expected}), per-channel {a} and {b} (expected {c}).");
    }
}
