using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels;

/// <summary>
/// Packing of GEMM operands into the strips the micro-kernel reads: a strip is <c>width</c> lanes (MR rows of A
/// or NR columns of B) by kc steps of K, stored k-major (<c>strip[p·width + lane]</c>), lanes past the matrix
/// edge set to zero so that edge tiles need no special kernel. The transposes of NN/NT/TN live here:
/// <see cref="PackLanesAlongK"/> serves operands whose rows run along K (A in NN and NT, B in NT) and
/// <see cref="PackLanesAcrossK"/> serves operands whose rows are K steps (A in TN, B in NN and TN).
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Source lane l, step p is <c>src[l·ld + p]</c>: each output step gathers one value from every lane row,
    /// a transpose, done 8 lanes × 8 steps at a time in registers so that the source rows are read contiguously.
    /// </summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackLanesAlongK(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* rows = src + first * ld;
            if (width % 8 == 0 && Avx.IsSupported)
            {
                for (int group = 0; group < width; group += 8)
                    PackGroupOf8(rows + group * ld, ld, Math.Clamp(valid - group, 0, 8), kc, width, strip + group);
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int lane = 0; lane < width; lane++)
                        strip[p * width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Source lane l, step p is <c>src[p·ld + l]</c>: each output step is a contiguous run of the source row,
    /// so packing is a copy (zero-filled past <paramref name="lanes"/>).
    /// </summary>
    // src: [kc, lanes] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackLanesAcrossK(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* column = src + first;
            if (valid == width)
            {
                for (int p = 0; p < kc; p++)
                    CopyRun(column + p * ld, strip + p * width, width);
            }
            else if (width % 8 == 0 && Avx.IsSupported)
            {
                // The ragged last strip: masked loads never touch memory past the matrix, and masked-off lanes read as 0.
                for (int group = 0; group < width; group += 8)
                {
                    Vector256<float> mask = LaneMask(valid - group);
                    for (int p = 0; p < kc; p++)
                        Avx.Store(strip + p * width + group, Avx.MaskLoad(column + p * ld + group, mask));
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* from = column + p * ld;
                    float* to = strip + p * width;
                    for (int lane = 0; lane < valid; lane++)
                        to[lane] = from[lane];
                    for (int lane = valid; lane < width; lane++)
                        to[lane] = 0f;
                }
            }
        }
    }

    /// <summary>A mask for <c>Avx.MaskLoad</c>/<c>MaskStore</c>: lanes below <paramref name="count"/> set (sign bit), the rest clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LaneMask(int count)
        => Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    // from: [count]; to: [count]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* from, float* to, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
                Vector512.Load(from + i).Store(to + i);
        }
        for (; i + 8 <= count; i += 8)
            Vector256.Load(from + i).Store(to + i);
        for (; i < count; i++)
            to[i] = from[i];
    }

    /// <summary>
    /// Eight lane rows (the first <paramref name="valid"/> real, the rest zero) into eight lanes of a strip:
    /// <c>dst[p·width + l] = rows[l·ld + p]</c>.
    /// </summary>
    // rows: [valid, kc] rows ld apart; dst: [kc, 8] with row stride width
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackGroupOf8(float* rows, nint ld, int valid, int kc, int width, float* dst)
    {
        int p = 0;
        if (valid == 8)
        {
            for (; p + 8 <= kc; p += 8)
                Transpose8x8(rows + p, ld, dst + p * width, width);
        }
        else if (valid > 0)
        {
            for (; p + 8 <= kc; p += 8)
                Transpose8x8Partial(rows + p, ld, valid, dst + p * width, width);
        }
        for (; p < kc; p++)
        {
            for (int lane = 0; lane < 8; lane++)
                dst[p * width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
        }
    }

    // src: [8, 8] rows ld apart; dst: [8, 8] rows dstStride apart; dst[j, i] = src[i, j]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint dstStride)
    {
        Transpose8x8(
            Avx.LoadVector256(src), Avx.LoadVector256(src + ld),
            Avx.LoadVector256(src + 2 * ld), Avx.LoadVector256(src + 3 * ld),
            Avx.LoadVector256(src + 4 * ld), Avx.LoadVector256(src + 5 * ld),
            Avx.LoadVector256(src + 6 * ld), Avx.LoadVector256(src + 7 * ld),
            dst, dstStride);
    }

    // src: [valid, 8] rows ld apart, rows valid..7 taken as zero; dst: [8, 8] rows dstStride apart
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8Partial(float* src, nint ld, int valid, float* dst, nint dstStride)
    {
        Transpose8x8(
            Row(src, ld, 0, valid), Row(src, ld, 1, valid), Row(src, ld, 2, valid), Row(src, ld, 3, valid),
            Row(src, ld, 4, valid), Row(src, ld, 5, valid), Row(src, ld, 6, valid), Row(src, ld, 7, valid),
            dst, dstStride);

        static Vector256<float> Row(float* src, nint ld, int i, int valid)
            => i < valid ? Avx.LoadVector256(src + i * ld) : Vector256<float>.Zero;
    }

    /// <summary>
    /// In-register 8×8 transpose: interleave pairs of rows (unpack), then pairs of pairs (shuffle), then swap
    /// 128-bit halves (permute2f128); output j holds element j of every input row.
    /// </summary>
    // dst: [8, 8] rows dstStride apart
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        float* dst, nint dstStride)
    {
        // t0 = [r00 r10 r01 r11 | r04 r14 r05 r15], t1 = [r02 r12 r03 r13 | r06 r16 r07 r17], ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // s0 = [r00 r10 r20 r30 | r04 r14 r24 r34], s1 = [r01 r11 r21 r31 | r05 r15 r25 r35], ...
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        // column j = low halves (j < 4) or high halves (j ≥ 4) of s(j mod 4) and s(j mod 4 + 4)
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
