using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// A GEMM register tile: <c>C[MR, NR] (+)= Ã · B̃</c> over one K block, with the cache blocking that suits it.
/// Ã is an MR-row strip packed k-major (<c>ã[p·MR + r] = A[r, p]</c>); the rows of B̃ are NR wide and
/// <c>ldb</c> apart (NR when packed, the row length of B when B is read in place).
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }

    /// <summary>Largest K block: a B̃ micro-panel (KC·NR floats) takes about half of L1d (see <see cref="GemmBlocking"/>).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of a packed Ã block (MC·KC floats, about half of L2).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a packed B̃ block (KC·NC floats, about half of L3).</summary>
    static abstract int NC { get; }

    /// <summary>
    /// <c>C = acc</c> or, if <paramref name="accumulate"/>, <c>C = C + acc</c>, where <c>acc = Σ_p ã[p, :]ᵀ · b̃[p, :]</c>
    /// summed from zero in order of p.
    /// </summary>
    static abstract void Run(float* a, float* b, nint ldb, int kc, float* c, nint ldc, bool accumulate);

    /// <summary>
    /// The left half of the tile, <c>C[MR, NR/2] = acc</c> (no accumulate: it only fills edge tiles), for a last strip
    /// of B with at most NR/2 real columns; the sums are formed exactly as <see cref="Run"/> forms them.
    /// </summary>
    static abstract void RunHalf(float* a, float* b, nint ldb, int kc, float* c, nint ldc);
}

/// <summary>
/// 8×32 AVX-512 tile: 16 zmm accumulators, 2 B vectors and a broadcast fit the 32 registers without spills, and the
/// 16 independent FMAs of a step cover the FMA latency. 8 rows make packing A an 8×8 transpose. 32 columns pad a layer
/// width that is not a multiple of them less than 48 or 64 would, and cut N into more strips to share among threads.
/// Chosen only where Vector512 is accelerated, which on x86 implies AVX-512F and with it FMA, so
/// <c>Vector512.FusedMultiplyAdd</c> is one instruction there (called elsewhere, as tests do, it is emulated: correct,
/// only slower).
/// </summary>
internal readonly struct Kernel8x32 : IMicroKernel
{
    private static readonly GemmBlocking s_blocking = GemmBlocking.For(8, 32, CacheSizes.Machine);

    public static int MR => 8;

    public static int NR => 32;

    public static int KC => s_blocking.KC;

    public static int MC => s_blocking.MC;

    public static int NC => s_blocking.NC;

    // a: [kc, 8] packed strip; b: [kc, 32] rows ldb apart; c: [8, 32] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, nint ldb, int kc, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);

            Vector512<float> ar = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ar, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ar, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ar, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ar, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ar, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ar, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(ar, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(ar, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);

            a += 8;
            b += ldb;
        }

        Put(c00, c01, c, accumulate);
        Put(c10, c11, c + ldc, accumulate);
        Put(c20, c21, c + 2 * ldc, accumulate);
        Put(c30, c31, c + 3 * ldc, accumulate);
        Put(c40, c41, c + 4 * ldc, accumulate);
        Put(c50, c51, c + 5 * ldc, accumulate);
        Put(c60, c61, c + 6 * ldc, accumulate);
        Put(c70, c71, c + 7 * ldc, accumulate);
    }

    // a: [kc, 8] packed strip; b: [kc, 16] rows ldb apart; c: [8, 16] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunHalf(float* a, float* b, nint ldb, int kc, float* c, nint ldc)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            a += 8;
            b += ldb;
        }
        c0.Store(c);
        c1.Store(c + ldc);
        c2.Store(c + 2 * ldc);
        c3.Store(c + 3 * ldc);
        c4.Store(c + 4 * ldc);
        c5.Store(c + 5 * ldc);
        c6.Store(c + 6 * ldc);
        c7.Store(c + 7 * ldc);
    }

    // c: [32] one row of the C tile
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(Vector512<float> v0, Vector512<float> v1, float* c, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        v0.Store(c);
        v1.Store(c + 16);
    }
}

/// <summary>
/// 6×16 AVX2 tile for machines without fast 512-bit vectors: 12 ymm accumulators, 2 B vectors and a
/// broadcast fit the 16 AVX2 registers without spills (the BLIS Haswell shape). Chosen only where Vector256 is
/// accelerated, which on x86 needs AVX2, and .NET enables AVX2 only together with FMA (one instruction-set group), so
/// <c>Vector256.FusedMultiplyAdd</c> is one instruction there; ARM64 never accelerates Vector256.
/// </summary>
internal readonly struct Kernel6x16 : IMicroKernel
{
    private static readonly GemmBlocking s_blocking = GemmBlocking.For(6, 16, CacheSizes.Machine);

    public static int MR => 6;

    public static int NR => 16;

    public static int KC => s_blocking.KC;

    public static int MC => s_blocking.MC;

    public static int NC => s_blocking.NC;

    // a: [kc, 6] packed strip; b: [kc, 16] rows ldb apart; c: [6, 16] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, nint ldb, int kc, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);

            Vector256<float> ar = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ar, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ar, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ar, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ar, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ar, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ar, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ar, b1, c51);

            a += 6;
            b += ldb;
        }

        Put(c00, c01, c, accumulate);
        Put(c10, c11, c + ldc, accumulate);
        Put(c20, c21, c + 2 * ldc, accumulate);
        Put(c30, c31, c + 3 * ldc, accumulate);
        Put(c40, c41, c + 4 * ldc, accumulate);
        Put(c50, c51, c + 5 * ldc, accumulate);
    }

    // a: [kc, 6] packed strip; b: [kc, 8] rows ldb apart; c: [6, 8] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunHalf(float* a, float* b, nint ldb, int kc, float* c, nint ldc)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b0, c3);
            c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[4]), b0, c4);
            c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[5]), b0, c5);
            a += 6;
            b += ldb;
        }
        c0.Store(c);
        c1.Store(c + ldc);
        c2.Store(c + 2 * ldc);
        c3.Store(c + 3 * ldc);
        c4.Store(c + 4 * ldc);
        c5.Store(c + 5 * ldc);
    }

    // c: [16] one row of the C tile
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(Vector256<float> v0, Vector256<float> v1, float* c, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        v0.Store(c);
        v1.Store(c + 8);
    }
}

/// <summary>
/// 6×8 Vector128 tile for machines whose widest accelerated vectors are 128 bits (SSE, NEON, or AVX2 told to prefer
/// 128-bit vectors): 12 accumulators, 2 B vectors and a broadcast take 15 registers, within the 16 of SSE (the last
/// holds a product where the multiply-add is not fused) and half of NEON's 32. Its sums run in the order of
/// <see cref="Kernel6x16"/>'s (from zero, in order of p, in Run and RunHalf alike), each step one fused instruction
/// where the hardware has FMA (x86 with FMA, every ARM64) and a multiply then an add where it has not, since a 128-bit
/// machine may lack FMA and <c>FusedMultiplyAdd</c> would then run in software, many times slower.
/// </summary>
internal readonly struct Kernel6x8 : IMicroKernel
{
    private static readonly GemmBlocking s_blocking = GemmBlocking.For(6, 8, CacheSizes.Machine);

    public static int MR => 6;

    public static int NR => 8;

    public static int KC => s_blocking.KC;

    public static int MC => s_blocking.MC;

    public static int NC => s_blocking.NC;

    // a: [kc, 6] packed strip; b: [kc, 8] rows ldb apart; c: [6, 8] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, nint ldb, int kc, float* c, nint ldc, bool accumulate)
    {
        Vector128<float> c00 = default, c01 = default;
        Vector128<float> c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default;
        Vector128<float> c50 = default, c51 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);

            Vector128<float> ar = Vector128.Create(a[0]);
            c00 = MultiplyAdd(ar, b0, c00);
            c01 = MultiplyAdd(ar, b1, c01);
            ar = Vector128.Create(a[1]);
            c10 = MultiplyAdd(ar, b0, c10);
            c11 = MultiplyAdd(ar, b1, c11);
            ar = Vector128.Create(a[2]);
            c20 = MultiplyAdd(ar, b0, c20);
            c21 = MultiplyAdd(ar, b1, c21);
            ar = Vector128.Create(a[3]);
            c30 = MultiplyAdd(ar, b0, c30);
            c31 = MultiplyAdd(ar, b1, c31);
            ar = Vector128.Create(a[4]);
            c40 = MultiplyAdd(ar, b0, c40);
            c41 = MultiplyAdd(ar, b1, c41);
            ar = Vector128.Create(a[5]);
            c50 = MultiplyAdd(ar, b0, c50);
            c51 = MultiplyAdd(ar, b1, c51);

            a += 6;
            b += ldb;
        }

        Put(c00, c01, c, accumulate);
        Put(c10, c11, c + ldc, accumulate);
        Put(c20, c21, c + 2 * ldc, accumulate);
        Put(c30, c31, c + 3 * ldc, accumulate);
        Put(c40, c41, c + 4 * ldc, accumulate);
        Put(c50, c51, c + 5 * ldc, accumulate);
    }

    // a: [kc, 6] packed strip; b: [kc, 4] rows ldb apart; c: [6, 4] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunHalf(float* a, float* b, nint ldb, int kc, float* c, nint ldc)
    {
        Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            c0 = MultiplyAdd(Vector128.Create(a[0]), b0, c0);
            c1 = MultiplyAdd(Vector128.Create(a[1]), b0, c1);
            c2 = MultiplyAdd(Vector128.Create(a[2]), b0, c2);
            c3 = MultiplyAdd(Vector128.Create(a[3]), b0, c3);
            c4 = MultiplyAdd(Vector128.Create(a[4]), b0, c4);
            c5 = MultiplyAdd(Vector128.Create(a[5]), b0, c5);
            a += 6;
            b += ldb;
        }
        c0.Store(c);
        c1.Store(c + ldc);
        c2.Store(c + 2 * ldc);
        c3.Store(c + 3 * ldc);
        c4.Store(c + 4 * ldc);
        c5.Store(c + 5 * ldc);
    }

    // c: [8] one row of the C tile
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(Vector128<float> v0, Vector128<float> v1, float* c, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector128.Load(c);
            v1 += Vector128.Load(c + 4);
        }
        v0.Store(c);
        v1.Store(c + 4);
    }

    /// <summary>a·b + c: fused where the hardware has FMA, a multiply then an add where it has not (see <see cref="Vec128.HasFma"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Vec128.HasFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
}
