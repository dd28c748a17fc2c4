using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Packing of GEMM operands into the strips the micro-kernel reads: a strip is <c>width</c> lanes (MR rows of A
/// or NR columns of B) by kc steps of K, stored k-major (<c>strip[p·width + lane]</c>), lanes past the matrix
/// edge set to zero so that edge tiles need no special kernel. The transposes of NN/NT/TN live here:
/// <see cref="PackLanesAlongK"/> serves operands whose rows run along K (A in NN and NT, B in NT) and
/// <see cref="PackLanesAcrossK"/> serves operands whose rows are K steps (A in TN, B in NN and TN).
/// Each has an AVX form (8×8 transposes, masked loads) and a portable one (128-bit vectors, scalar edges) that
/// every other machine runs and that tests call directly.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Source lane l, step p is <c>src[l·ld + p]</c>: each output step gathers one value from every lane row,
    /// a transpose, done in registers a block of lanes × steps at a time so that the source rows are read contiguously.
    /// </summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PackLanesAlongK(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        if (width % 8 == 0 && Avx.IsSupported)
            PackLanesAlongKAvx(src, ld, lanes, kc, width, dst);
        else if (width == 6 && Avx.IsSupported)
            PackLanesAlongKAvx6(src, ld, lanes, kc, dst);
        else if (Vector128.IsHardwareAccelerated)
            PackLanesAlongKVector128(src, ld, lanes, kc, width, dst);
        else
            PackLanesAlongKScalar(src, ld, lanes, kc, width, dst);
    }

    /// <summary><see cref="PackLanesAlongK"/> in 8 × 8 AVX transposes; needs AVX and a width that is a multiple of 8.</summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAlongKAvx(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* rows = src + first * ld;
            for (int group = 0; group < width; group += 8)
                PackGroupOf8(rows + group * ld, ld, Math.Clamp(valid - group, 0, 8), kc, width, strip + group);
        }
    }

    /// <summary>
    /// <see cref="PackLanesAlongK"/> for 6-lane strips (the 6 × 16 tile of AVX2) in 8 × 8 AVX transposes of the 6 rows and
    /// two zero rows. Each transposed step is stored as 8 floats 6 apart in increasing order, so the 2 floats a store
    /// writes past its step are overwritten by the next step's store; a last group of exactly 8 steps, whose overhang
    /// would pass the strip's end, is transposed into a spare block and copied, and fewer than 8 steps left over are
    /// packed value by value. Needs AVX.
    /// </summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / 6), kc, 6]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAlongKAvx6(float* src, nint ld, int lanes, int kc, float* dst)
    {
        const int Width = 6;
        // The last whole group of 8 steps would store 2 floats past the strip: it goes through this spare block.
        float* spare = stackalloc float[8 * Width + 2];
        for (int first = 0; first < lanes; first += Width)
        {
            int valid = Math.Min(Width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* rows = src + first * ld;
            int p = 0;
            for (; p + 8 < kc; p += 8)
                Transpose8x8Partial(rows + p, ld, valid, strip + p * Width, Width);
            if (p + 8 == kc)
            {
                Transpose8x8Partial(rows + p, ld, valid, spare, Width);
                new ReadOnlySpan<float>(spare, 8 * Width).CopyTo(new Span<float>(strip + p * Width, 8 * Width));
                p += 8;
            }
            for (; p < kc; p++)
            {
                for (int lane = 0; lane < Width; lane++)
                    strip[p * Width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
            }
        }
    }

    /// <summary>
    /// <see cref="PackLanesAlongK"/> in 128-bit vectors, for any width: groups of 4 lanes by 4 × 4 transposes, then a
    /// last pair of lanes (width 6) by 2 × 4 interleaves, then a last odd lane value by value.
    /// </summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAlongKVector128(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* rows = src + first * ld;
            int group = 0;
            for (; group + 4 <= width; group += 4)
                PackGroupOf4(rows + group * ld, ld, Math.Clamp(valid - group, 0, 4), kc, width, strip + group);
            if (group + 2 <= width)
            {
                PackPair(rows + group * ld, ld, Math.Clamp(valid - group, 0, 2), kc, width, strip + group);
                group += 2;
            }
            if (group < width)
            {
                for (int p = 0; p < kc; p++)
                    strip[p * width + group] = group < valid ? rows[group * ld + p] : 0f;
            }
        }
    }

    /// <summary><see cref="PackLanesAlongK"/> value by value, for machines without vector hardware.</summary>
    // src: [lanes, kc] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAlongKScalar(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* rows = src + first * ld;
            for (int p = 0; p < kc; p++)
            {
                for (int lane = 0; lane < width; lane++)
                    strip[p * width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
            }
        }
    }

    /// <summary>
    /// Source lane l, step p is <c>src[p·ld + l]</c>: each output step is a contiguous run of the source row,
    /// so packing is a copy (zero-filled past <paramref name="lanes"/>).
    /// </summary>
    // src: [kc, lanes] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PackLanesAcrossK(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        if (width % 8 == 0 && Avx.IsSupported)
            PackLanesAcrossKAvx(src, ld, lanes, kc, width, dst);
        else
            PackLanesAcrossKPortable(src, ld, lanes, kc, width, dst);
    }

    /// <summary>
    /// <see cref="PackLanesAcrossK"/> with the ragged last strip read by AVX masked loads; needs AVX and a width that is
    /// a multiple of 8.
    /// </summary>
    // src: [kc, lanes] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAcrossKAvx(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* column = src + first;
            if (valid == width)
            {
                CopyRuns(column, ld, strip, width, width, kc);
            }
            else
            {
                // Masked loads never touch memory past the matrix, and masked-off lanes read as 0.
                for (int group = 0; group < width; group += 8)
                {
                    Vector256<float> mask = LaneMask(valid - group);
                    for (int p = 0; p < kc; p++)
                        Avx.Store(strip + p * width + group, Avx.MaskLoad(column + p * ld + group, mask));
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PackLanesAcrossK"/> without masks: the valid lanes of each step are copied (whole vectors, then one by
    /// one, never reading past them) and the lanes past the matrix are set to zero.
    /// </summary>
    // src: [kc, lanes] rows ld apart; dst: [ceil(lanes / width), kc, width]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackLanesAcrossKPortable(float* src, nint ld, int lanes, int kc, int width, float* dst)
    {
        for (int first = 0; first < lanes; first += width)
        {
            int valid = Math.Min(width, lanes - first);
            float* strip = dst + (nint)first * kc;
            float* column = src + first;
            CopyRuns(column, ld, strip, width, valid, kc);
            if (valid < width)
                ZeroRuns(strip + valid, width, width - valid, kc);
        }
    }

    /// <summary>
    /// A mask for <c>Avx.MaskLoad</c>/<c>MaskStore</c>: lanes below <paramref name="count"/> set (sign bit), the rest clear.
    /// A float compare, which AVX has without AVX2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LaneMask(int count)
        => Avx.CompareLessThan(Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f), Vector256.Create((float)count));

    /// <summary><c>to[i] = from[i]</c> for i &lt; <paramref name="count"/>, in the widest accelerated vectors first.</summary>
    // from: [count]; to: [count]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyRun(float* from, float* to, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
                Vector512.Load(from + i).Store(to + i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8)
                Vector256.Load(from + i).Store(to + i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= count; i += 4)
                Vector128.Load(from + i).Store(to + i);
        }
        for (; i < count; i++)
            to[i] = from[i];
    }

    /// <summary>
    /// <paramref name="count"/> runs of <paramref name="length"/> floats: run i goes from <c>from + i·fromStride</c> to
    /// <c>to + i·toStride</c>. Packing copies one short run per K step (a tile's width, or a tap's channels), so the
    /// lengths of the tile widths are copied with fixed vector moves chosen once for the whole column, not per run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyRuns(float* from, nint fromStride, float* to, nint toStride, int length, int count)
    {
        if (length == 8 && Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < count; i++, from += fromStride, to += toStride)
                Vector256.Load(from).Store(to);
        }
        else if (length == 6 && Vector128.IsHardwareAccelerated)
        {
            // 4 floats as a vector, 2 as one 8-byte move
            for (int i = 0; i < count; i++, from += fromStride, to += toStride)
            {
                Vector128.Load(from).Store(to);
                *(long*)(to + 4) = *(long*)(from + 4);
            }
        }
        else if (length == 16 && Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < count; i++, from += fromStride, to += toStride)
            {
                Vector256.Load(from).Store(to);
                Vector256.Load(from + 8).Store(to + 8);
            }
        }
        else
        {
            for (int i = 0; i < count; i++, from += fromStride, to += toStride)
                CopyRun(from, to, length);
        }
    }

    /// <summary><paramref name="count"/> runs of <paramref name="length"/> zeros, run i at <c>to + i·toStride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ZeroRuns(float* to, nint toStride, int length, int count)
    {
        for (int i = 0; i < count; i++, to += toStride)
            new Span<float>(to, length).Clear();
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

    /// <summary>
    /// Four lane rows (the first <paramref name="valid"/> real, the rest zero) into four lanes of a strip:
    /// <c>dst[p·width + l] = rows[l·ld + p]</c>, 4 steps per 4 × 4 transpose.
    /// </summary>
    // rows: [valid, kc] rows ld apart; dst: [kc, 4] with row stride width
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackGroupOf4(float* rows, nint ld, int valid, int kc, int width, float* dst)
    {
        int p = 0;
        if (valid == 4)
        {
            for (; p + 4 <= kc; p += 4)
            {
                Transpose4x4(
                    Vector128.Load(rows + p), Vector128.Load(rows + ld + p),
                    Vector128.Load(rows + 2 * ld + p), Vector128.Load(rows + 3 * ld + p),
                    dst + p * width, width);
            }
        }
        else if (valid > 0)
        {
            for (; p + 4 <= kc; p += 4)
            {
                Transpose4x4(
                    Row4(rows + p, ld, 0, valid), Row4(rows + p, ld, 1, valid),
                    Row4(rows + p, ld, 2, valid), Row4(rows + p, ld, 3, valid),
                    dst + p * width, width);
            }
        }
        for (; p < kc; p++)
        {
            for (int lane = 0; lane < 4; lane++)
                dst[p * width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
        }
    }

    /// <summary>
    /// Two lane rows (the first <paramref name="valid"/> real, the rest zero) into two lanes of a strip: interleaving
    /// 4 steps of the two rows gives a (row 0, row 1) pair per step, each stored as one 64-bit value.
    /// </summary>
    // rows: [valid, kc] rows ld apart; dst: [kc, 2] with row stride width
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackPair(float* rows, nint ld, int valid, int kc, int width, float* dst)
    {
        int p = 0;
        if (valid > 0)
        {
            for (; p + 4 <= kc; p += 4)
            {
                Vector128<float> r0 = Vector128.Load(rows + p), r1 = Row4(rows + p, ld, 1, valid);
                // low = [r0p r1p | r0p+1 r1p+1], high = [r0p+2 r1p+2 | r0p+3 r1p+3]
                Vector128<double> low = InterleaveLow(r0, r1).AsDouble(), high = InterleaveHigh(r0, r1).AsDouble();
                Unsafe.WriteUnaligned(dst + p * width, low.ToScalar());
                Unsafe.WriteUnaligned(dst + (p + 1) * width, low.GetElement(1));
                Unsafe.WriteUnaligned(dst + (p + 2) * width, high.ToScalar());
                Unsafe.WriteUnaligned(dst + (p + 3) * width, high.GetElement(1));
            }
        }
        for (; p < kc; p++)
        {
            for (int lane = 0; lane < 2; lane++)
                dst[p * width + lane] = lane < valid ? rows[lane * ld + p] : 0f;
        }
    }

    // src: row i of a block, rows ld apart; rows valid and up read as zero
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Row4(float* src, nint ld, int i, int valid)
        => i < valid ? Vector128.Load(src + i * ld) : Vector128<float>.Zero;

    /// <summary>
    /// In-register 4×4 transpose: interleave pairs of rows, then join the matching 64-bit halves of the pairs;
    /// output j holds element j of every input row.
    /// </summary>
    // dst: [4, 4] rows dstStride apart
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(Vector128<float> r0, Vector128<float> r1, Vector128<float> r2, Vector128<float> r3,
        float* dst, nint dstStride)
    {
        // t0 = [r00 r10 r01 r11], t1 = [r02 r12 r03 r13], t2 = [r20 r30 r21 r31], t3 = [r22 r32 r23 r33]
        Vector128<float> t0 = InterleaveLow(r0, r1), t1 = InterleaveHigh(r0, r1);
        Vector128<float> t2 = InterleaveLow(r2, r3), t3 = InterleaveHigh(r2, r3);

        // column j = [r0j r1j r2j r3j]
        LowHalves(t0, t2).Store(dst);
        HighHalves(t0, t2).Store(dst + dstStride);
        LowHalves(t1, t3).Store(dst + 2 * dstStride);
        HighHalves(t1, t3).Store(dst + 3 * dstStride);
    }

    /// <summary><c>[a0 b0 a1 b1]</c>: unpcklps on x86, zip1 on ARM64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveLow(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
            return Sse.UnpackLow(a, b);
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.ZipLow(a, b);
        return Vector128.Create(a.GetElement(0), b.GetElement(0), a.GetElement(1), b.GetElement(1));
    }

    /// <summary><c>[a2 b2 a3 b3]</c>: unpckhps on x86, zip2 on ARM64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveHigh(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
            return Sse.UnpackHigh(a, b);
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.ZipHigh(a, b);
        return Vector128.Create(a.GetElement(2), b.GetElement(2), a.GetElement(3), b.GetElement(3));
    }

    /// <summary><c>[a0 a1 b0 b1]</c>: movlhps on x86, zip1 of 64-bit lanes on ARM64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LowHalves(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
            return Sse.MoveLowToHigh(a, b);
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.ZipLow(a.AsDouble(), b.AsDouble()).AsSingle();
        return Vector128.Create(a.GetElement(0), a.GetElement(1), b.GetElement(0), b.GetElement(1));
    }

    /// <summary><c>[a2 a3 b2 b3]</c>: movhlps on x86, zip2 of 64-bit lanes on ARM64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> HighHalves(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
            return Sse.MoveHighToLow(b, a);
        if (AdvSimd.Arm64.IsSupported)
            return AdvSimd.Arm64.ZipHigh(a.AsDouble(), b.AsDouble()).AsSingle();
        return Vector128.Create(a.GetElement(2), a.GetElement(3), b.GetElement(2), b.GetElement(3));
    }
}
