using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels;

/// <summary>
/// Batch Normalization (Ioffe &amp; Szegedy 2015) over a tensor viewed as [outer, c, inner]: c features
/// (channels), each normalized over its n = outer·inner values. Channels-last layouts (Dense outputs
/// [N, C], NHWC [N·H·W, C]) have inner = 1 and run as row-wise Vector512 loops across channels; a feature
/// block in the middle (inner &gt; 1) runs on contiguous runs of length inner.
/// Statistics take two passes with double accumulators (mean, then Σ(x − mean)²), never E[x²] − E[x]².
/// Scalar twins are in <see cref="ReferenceBatchNormKernels"/>.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>
    /// Batch mean and BIASED variance of every channel: μ = Σx/n, σ² = Σ(x − μ)²/n.
    /// <paramref name="accumulator"/> is scratch of at least <see cref="ScratchLength"/> doubles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Moments(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> accumulator,
        Span<float> mean, Span<float> variance)
    {
        // x: [outer, c, inner]; accumulator: [≥ ScratchLength(outer, c, inner)]; mean, variance: [c]
        Check(x.Length, outer * c * inner, mean.Length, c, variance.Length);
        double n = (double)outer * inner;
        if (inner == 1)
        {
            // Row chunks sum into their own accumulators, combined in chunk order: the result does not
            // depend on how many threads ran the chunks.
            int chunks = RowChunks(outer, c, out int rowsPerChunk);
            var partial = accumulator[..(chunks * c)];
            RunRows(RowOp.Sum, x, [], [], [], [], outer, c, rowsPerChunk, chunks, partial, []);
            Combine(partial, chunks, c, 1 / n, mean);
            RunRows(RowOp.SquaredDeviation, x, [], mean, [], [], outer, c, rowsPerChunk, chunks, partial, []);
            Combine(partial, chunks, c, 1 / n, variance);
            return;
        }
        var acc = accumulator[..c];
        acc.Clear();
        for (int a = 0; a < outer; a++)
            for (int f = 0; f < c; f++) acc[f] += SumRun(x.Slice((a * c + f) * inner, inner));
        for (int f = 0; f < c; f++) mean[f] = (float)(acc[f] / n);
        acc.Clear();
        for (int a = 0; a < outer; a++)
            for (int f = 0; f < c; f++) acc[f] += SquaredDeviationRun(x.Slice((a * c + f) * inner, inner), mean[f]);
        for (int f = 0; f < c; f++) variance[f] = (float)(acc[f] / n);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        int outer, int c, int inner, Span<double> accumulator, Span<float> sumDy, Span<float> sumDyXc)
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
        for (int a = 0; a < outer; a++)
        {
            for (int f = 0; f < c; f++)
            {
                int start = (a * c + f) * inner;
                var xr = x.Slice(start, inner);
                var dr = dY.Slice(start, inner);
                double s = 0, sx = 0;
                for (int i = 0; i < inner; i++)
                {
                    s += dr[i];
                    sx += (double)dr[i] * (xr[i] - mean[f]);
                }
                accDy[f] += s;
                accDyXc[f] += sx;
            }
        }
        for (int f = 0; f < c; f++)
        {
            sumDy[f] = (float)accDy[f];
            sumDyXc[f] = (float)accDyXc[f];
        }
    }

    /// <summary>
    /// dX = k·dY + m·x + b per channel, the backward pass rearranged so that it is one fused pass:
    /// with x̂ = (x − μ)·invStd, dX = (γ·invStd/n)·(n·dY − Σdy − x̂·Σ(dy·x̂)) gives
    /// k = γ·invStd, m = −γ·invStd³·Σ(dy·(x − μ))/n and b = −γ·invStd·Σdy/n − m·μ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> k,
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
        for (int a = 0; a < outer; a++)
        {
            for (int f = 0; f < c; f++)
            {
                int start = (a * c + f) * inner;
                var xr = x.Slice(start, inner);
                var dr = dY.Slice(start, inner);
                var outRun = dX.Slice(start, inner);
                for (int i = 0; i < inner; i++) outRun[i] = k[f] * dr[i] + m[f] * xr[i] + b[f];
            }
        }
    }

    /// <summary>The row passes of the channels-last layout, run in row chunks on the worker pool.</summary>
    private enum RowOp { Sum, SquaredDeviation, Affine, BackwardSums, BackwardInput }

    /// <summary>
    /// Chunks of about 16K values (at most 64 chunks), so that small tensors ([32, 300]) stay on one thread.
    /// The split depends only on the shape, never on the thread count.
    /// </summary>
    private static int RowChunks(int rows, int c, out int rowsPerChunk)
    {
        rowsPerChunk = Math.Max(Math.Max(1, (rows + 63) / 64), (16384 + c - 1) / Math.Max(c, 1));
        return rows == 0 ? 0 : (rows + rowsPerChunk - 1) / rowsPerChunk;
    }

    /// <summary>out[f] = scale·Σ over chunks of partial[chunk, f], summed in chunk order.</summary>
    private static void Combine(ReadOnlySpan<double> partial, int chunks, int c, double scale, Span<float> output)
    {
        for (int f = 0; f < c; f++)
        {
            double sum = 0;
            for (int k = 0; k < chunks; k++) sum += partial[k * c + f];
            output[f] = (float)(sum * scale);
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
            int r0 = chunk * RowsPerChunk, r1 = Math.Min(Rows, r0 + RowsPerChunk), c = C;
            var p0 = new ReadOnlySpan<float>(P0, P0 == null ? 0 : c);
            var p1 = new ReadOnlySpan<float>(P1, P1 == null ? 0 : c);
            var p2 = new ReadOnlySpan<float>(P2, P2 == null ? 0 : c);
            switch (Op)
            {
                case RowOp.Sum:
                case RowOp.SquaredDeviation:
                {
                    var acc = new Span<double>(Partial + (long)chunk * c, c);
                    acc.Clear();
                    for (int r = r0; r < r1; r++) AddRow(new ReadOnlySpan<float>(X + (long)r * c, c), Op == RowOp.Sum ? [] : p0, acc);
                    break;
                }
                case RowOp.BackwardSums:
                {
                    var accDy = new Span<double>(Partial + (long)chunk * c, c);
                    var accDyXc = new Span<double>(Partial + (long)(Chunks + chunk) * c, c);
                    accDy.Clear();
                    accDyXc.Clear();
                    for (int r = r0; r < r1; r++)
                        AddBackwardRow(new ReadOnlySpan<float>(X + (long)r * c, c), new ReadOnlySpan<float>(DY + (long)r * c, c), p0, accDy, accDyXc);
                    break;
                }
                case RowOp.Affine:
                    for (int r = r0; r < r1; r++)
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(X + (long)r * c, c), p0, p1, new Span<float>(Output + (long)r * c, c));
                    break;
                case RowOp.BackwardInput:
                    for (int r = r0; r < r1; r++)
                        CombineRow(new ReadOnlySpan<float>(DY + (long)r * c, c), new ReadOnlySpan<float>(X + (long)r * c, c), p0, p1, p2,
                            new Span<float>(Output + (long)r * c, c));
                    break;
            }
        }
    }

    // acc[f] += x[f] − shift[f] (shift empty) or (x[f] − shift[f])² (shift given), widened to double.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRow(ReadOnlySpan<float> row, ReadOnlySpan<float> shift, Span<double> acc)
    {
        bool squares = !shift.IsEmpty;
        ref float px = ref MemoryMarshal.GetReference(row);
        ref float ps = ref MemoryMarshal.GetReference(shift);
        ref double pa = ref MemoryMarshal.GetReference(acc);
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f <= row.Length - Vector512<float>.Count; f += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)f);
                var (lo, hi) = Vector512.Widen(v);
                if (squares)
                {
                    var (slo, shi) = Vector512.Widen(Vector512.LoadUnsafe(ref ps, (nuint)f));
                    lo -= slo;
                    hi -= shi;
                    lo *= lo;
                    hi *= hi;
                }
                (Vector512.LoadUnsafe(ref pa, (nuint)f) + lo).StoreUnsafe(ref pa, (nuint)f);
                (Vector512.LoadUnsafe(ref pa, (nuint)(f + 8)) + hi).StoreUnsafe(ref pa, (nuint)(f + 8));
            }
        }
        for (; f < row.Length; f++)
        {
            double d = Unsafe.Add(ref px, f);
            if (squares)
            {
                d -= Unsafe.Add(ref ps, f);
                d *= d;
            }
            Unsafe.Add(ref pa, f) += d;
        }
    }

    // accDy[f] += dy[f]; accDyXc[f] += dy[f]·(x[f] − mean[f]), in double.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddBackwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        Span<double> accDy, Span<double> accDyXc)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(dY);
        ref float pm = ref MemoryMarshal.GetReference(mean);
        ref double pa = ref MemoryMarshal.GetReference(accDy);
        ref double pb = ref MemoryMarshal.GetReference(accDyXc);
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f <= x.Length - Vector512<float>.Count; f += Vector512<float>.Count)
            {
                var (dlo, dhi) = Vector512.Widen(Vector512.LoadUnsafe(ref pd, (nuint)f));
                var (xlo, xhi) = Vector512.Widen(Vector512.LoadUnsafe(ref px, (nuint)f) - Vector512.LoadUnsafe(ref pm, (nuint)f));
                (Vector512.LoadUnsafe(ref pa, (nuint)f) + dlo).StoreUnsafe(ref pa, (nuint)f);
                (Vector512.LoadUnsafe(ref pa, (nuint)(f + 8)) + dhi).StoreUnsafe(ref pa, (nuint)(f + 8));
                (Vector512.LoadUnsafe(ref pb, (nuint)f) + dlo * xlo).StoreUnsafe(ref pb, (nuint)f);
                (Vector512.LoadUnsafe(ref pb, (nuint)(f + 8)) + dhi * xhi).StoreUnsafe(ref pb, (nuint)(f + 8));
            }
        }
        for (; f < x.Length; f++)
        {
            double d = Unsafe.Add(ref pd, f);
            Unsafe.Add(ref pa, f) += d;
            Unsafe.Add(ref pb, f) += d * (Unsafe.Add(ref px, f) - Unsafe.Add(ref pm, f));
        }
    }

    // out[f] = k[f]·u[f] + m[f]·v[f] + b[f]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CombineRow(ReadOnlySpan<float> u, ReadOnlySpan<float> v, ReadOnlySpan<float> k,
        ReadOnlySpan<float> m, ReadOnlySpan<float> b, Span<float> output)
    {
        ref float pu = ref MemoryMarshal.GetReference(u);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pk = ref MemoryMarshal.GetReference(k);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float po = ref MemoryMarshal.GetReference(output);
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f <= u.Length - Vector512<float>.Count; f += Vector512<float>.Count)
            {
                var r = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pk, (nuint)f), Vector512.LoadUnsafe(ref pu, (nuint)f),
                    Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pm, (nuint)f), Vector512.LoadUnsafe(ref pv, (nuint)f),
                        Vector512.LoadUnsafe(ref pb, (nuint)f)));
                r.StoreUnsafe(ref po, (nuint)f);
            }
        }
        for (; f < u.Length; f++)
            Unsafe.Add(ref po, f) = Unsafe.Add(ref pk, f) * Unsafe.Add(ref pu, f) + Unsafe.Add(ref pm, f) * Unsafe.Add(ref pv, f) + Unsafe.Add(ref pb, f);
    }

    private static double SumRun(ReadOnlySpan<float> run)
    {
        double s = 0;
        for (int i = 0; i < run.Length; i++) s += run[i];
        return s;
    }

    private static double SquaredDeviationRun(ReadOnlySpan<float> run, float mean)
    {
        double s = 0;
        for (int i = 0; i < run.Length; i++)
        {
            double d = (double)run[i] - mean;
            s += d * d;
        }
        return s;
    }

    private static void Check(int length, int expected, int a, int c, int b)
    {
        if (length != expected || a != c || b != c)
            throw new ArgumentException($"BatchNorm kernel spans do not match: length {length} (expected {expected}), per-channel {a} and {b} (expected {c}).");
    }
}
