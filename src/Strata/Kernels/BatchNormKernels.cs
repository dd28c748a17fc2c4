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
    /// <paramref name="accumulator"/> is scratch of at least c doubles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Moments(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> accumulator,
        Span<float> mean, Span<float> variance)
    {
        // x: [outer, c, inner]; accumulator: [≥ c]; mean, variance: [c]
        Check(x.Length, outer * c * inner, mean.Length, c, variance.Length);
        var acc = accumulator[..c];
        double n = (double)outer * inner;

        // pass 1: the mean
        acc.Clear();
        if (inner == 1)
            for (int a = 0; a < outer; a++) AddRow(x.Slice(a * c, c), [], acc);
        else
            for (int a = 0; a < outer; a++)
                for (int f = 0; f < c; f++) acc[f] += SumRun(x.Slice((a * c + f) * inner, inner));
        for (int f = 0; f < c; f++) mean[f] = (float)(acc[f] / n);

        // pass 2: the variance about that mean
        acc.Clear();
        if (inner == 1)
            for (int a = 0; a < outer; a++) AddRow(x.Slice(a * c, c), mean, acc);
        else
            for (int a = 0; a < outer; a++)
                for (int f = 0; f < c; f++) acc[f] += SquaredDeviationRun(x.Slice((a * c + f) * inner, inner), mean[f]);
        for (int f = 0; f < c; f++) variance[f] = (float)(acc[f] / n);
    }

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
            for (int a = 0; a < outer; a++)
                TensorPrimitives.MultiplyAdd(x.Slice(a * c, c), scale, shift, y.Slice(a * c, c));
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
    /// <paramref name="accumulator"/> is scratch of at least 2c doubles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> mean,
        int outer, int c, int inner, Span<double> accumulator, Span<float> sumDy, Span<float> sumDyXc)
    {
        // x, dY: [outer, c, inner]; mean, sumDy, sumDyXc: [c]; accumulator: [≥ 2c]
        Check(x.Length, outer * c * inner, mean.Length, c, sumDy.Length);
        Check(dY.Length, x.Length, sumDyXc.Length, c, c);
        var accDy = accumulator[..c];
        var accDyXc = accumulator.Slice(c, c);
        accDy.Clear();
        accDyXc.Clear();
        if (inner == 1)
        {
            for (int a = 0; a < outer; a++) AddBackwardRow(x.Slice(a * c, c), dY.Slice(a * c, c), mean, accDy, accDyXc);
        }
        else
        {
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
            for (int a = 0; a < outer; a++) CombineRow(dY.Slice(a * c, c), x.Slice(a * c, c), k, m, b, dX.Slice(a * c, c));
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
