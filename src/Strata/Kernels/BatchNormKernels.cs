using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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
    /// Chunks of about 128K values (at most 64 chunks): waking a second core and moving the data to it costs
    /// more than these passes over anything smaller, so Dense-sized tensors ([32, 784], [256, 784]) stay on one
    /// thread. The split depends only on the shape, never on the thread count.
    /// </summary>
    private static int RowChunks(int rows, int c, out int rowsPerChunk)
    {
        rowsPerChunk = Math.Max(Math.Max(1, (rows + 63) / 64), (131072 + c - 1) / Math.Max(c, 1));
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
            switch (Op)
            {
                case RowOp.Sum:
                    SumColumns(X, null, r0, r1, c, Partial + (long)chunk * c);
                    break;
                case RowOp.SquaredDeviation:
                    SumColumns(X, P0, r0, r1, c, Partial + (long)chunk * c);
                    break;
                case RowOp.BackwardSums:
                    BackwardSumColumns(X, DY, P0, r0, r1, c, Partial + (long)chunk * c, Partial + (long)(Chunks + chunk) * c);
                    break;
                case RowOp.Affine:
                    CombineRows(X, P0, null, null, P1, r0, r1, c, Output);
                    break;
                case RowOp.BackwardInput:
                    CombineRows(DY, P0, X, P1, P2, r0, r1, c, Output);
                    break;
            }
        }
    }

    /// <summary>
    /// acc[f] = Σ_r x[r, f] (shift null) or Σ_r (x[r, f] − shift[f])² over rows [r0, r1), widened to double before
    /// subtracting. Channel blocks of 16 stay in registers while the rows stream past, two rows at a time so two
    /// accumulator chains hide the add latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumColumns(float* x, float* shift, int r0, int r1, int c, double* acc)
    {
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f <= c - 16; f += 16)
            {
                var (sLo, sHi) = shift == null ? (Vector512<double>.Zero, Vector512<double>.Zero) : Vector512.Widen(Vector512.Load(shift + f));
                Vector512<double> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
                int r = r0;
                for (; r + 1 < r1; r += 2)
                {
                    var (a0, b0) = Vector512.Widen(Vector512.Load(x + (long)r * c + f));
                    var (a1, b1) = Vector512.Widen(Vector512.Load(x + (long)(r + 1) * c + f));
                    if (shift != null)
                    {
                        a0 -= sLo; b0 -= sHi; a1 -= sLo; b1 -= sHi;
                        a0 *= a0; b0 *= b0; a1 *= a1; b1 *= b1;
                    }
                    lo0 += a0; hi0 += b0; lo1 += a1; hi1 += b1;
                }
                if (r < r1)
                {
                    var (a0, b0) = Vector512.Widen(Vector512.Load(x + (long)r * c + f));
                    if (shift != null)
                    {
                        a0 -= sLo; b0 -= sHi;
                        a0 *= a0; b0 *= b0;
                    }
                    lo0 += a0; hi0 += b0;
                }
                (lo0 + lo1).Store(acc + f);
                (hi0 + hi1).Store(acc + f + 8);
            }
        }
        for (; f < c; f++)
        {
            double sum = 0, s = shift == null ? 0 : shift[f];
            for (int r = r0; r < r1; r++)
            {
                double d = x[(long)r * c + f] - s;
                sum += shift == null ? d : d * d;
            }
            acc[f] = sum;
        }
    }

    /// <summary>accDy[f] = Σ_r dy[r, f] and accDyXc[f] = Σ_r dy[r, f]·(x[r, f] − mean[f]) over rows [r0, r1), in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardSumColumns(float* x, float* dY, float* mean, int r0, int r1, int c, double* accDy, double* accDyXc)
    {
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; f <= c - 16; f += 16)
            {
                var (mLo, mHi) = Vector512.Widen(Vector512.Load(mean + f));
                Vector512<double> dLo = default, dHi = default, pLo = default, pHi = default;
                for (int r = r0; r < r1; r++)
                {
                    var (gLo, gHi) = Vector512.Widen(Vector512.Load(dY + (long)r * c + f));
                    var (xLo, xHi) = Vector512.Widen(Vector512.Load(x + (long)r * c + f));
                    dLo += gLo;
                    dHi += gHi;
                    pLo = Vector512.FusedMultiplyAdd(gLo, xLo - mLo, pLo);
                    pHi = Vector512.FusedMultiplyAdd(gHi, xHi - mHi, pHi);
                }
                dLo.Store(accDy + f);
                dHi.Store(accDy + f + 8);
                pLo.Store(accDyXc + f);
                pHi.Store(accDyXc + f + 8);
            }
        }
        for (; f < c; f++)
        {
            double sumDy = 0, sumDyXc = 0, m = mean[f];
            for (int r = r0; r < r1; r++)
            {
                double g = dY[(long)r * c + f];
                sumDy += g;
                sumDyXc += g * (x[(long)r * c + f] - m);
            }
            accDy[f] = sumDy;
            accDyXc[f] = sumDyXc;
        }
    }

    /// <summary>out[r, f] = k[f]·u[r, f] + m[f]·v[r, f] + b[f] over rows [r0, r1); v and m may be null (then out = k·u + b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CombineRows(float* u, float* k, float* v, float* m, float* b, int r0, int r1, int c, float* output)
    {
        for (int r = r0; r < r1; r++)
        {
            long row = (long)r * c;
            int f = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; f <= c - 16; f += 16)
                {
                    var acc = Vector512.FusedMultiplyAdd(Vector512.Load(k + f), Vector512.Load(u + row + f), Vector512.Load(b + f));
                    if (v != null) acc = Vector512.FusedMultiplyAdd(Vector512.Load(m + f), Vector512.Load(v + row + f), acc);
                    acc.Store(output + row + f);
                }
            }
            for (; f < c; f++)
                output[row + f] = k[f] * u[row + f] + (v == null ? 0f : m[f] * v[row + f]) + b[f];
        }
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
