using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
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

/// <summary>Rows of a register tile: 6 for a register file of 16 vectors, 8 for one of 32.</summary>
internal interface ITileRows
{
    static abstract int Count { get; }
}

/// <summary>6 rows: 12 accumulators, 2 B vectors and a broadcast fit the 16 registers of AVX2 and SSE without spills.</summary>
internal readonly struct Rows6 : ITileRows
{
    public static int Count => 6;
}

/// <summary>8 rows: 16 accumulators for the 32 registers of AVX-512 and ARM64, 16 independent multiply-adds per step.</summary>
internal readonly struct Rows8 : ITileRows
{
    public static int Count => 8;
}

/// <summary>
/// The GEMM register tile, MR × NR = <typeparamref name="TRows"/> × 2W for float vectors <typeparamref name="TV"/> of
/// W lanes, written once: rows 6 and 7 exist only in the 8-row instantiations (the JIT drops them from the 6-row
/// ones). <c>Kernel&lt;Vec512, Rows8&gt;</c> (8×32) is the AVX-512 kernel: 8 rows make packing A an 8×8 transpose, and
/// 32 columns pad a layer width that is not a multiple of them less than 48 or 64 would and cut N into more strips to
/// share among threads. <c>Kernel&lt;Vec256, Rows6&gt;</c> (6×16) is the AVX2 kernel (the BLIS Haswell shape),
/// <c>Kernel&lt;Vec128, Rows8&gt;</c> (8×8) NEON's and <c>Kernel&lt;Vec128, Rows6&gt;</c> (6×8) SSE's. Sums run from zero
/// in order of p, in Run and RunHalf alike. A width that is not accelerated (tests) is emulated: correct, only slow.
/// </summary>
internal readonly struct Kernel<TV, TRows> : IMicroKernel where TV : unmanaged, IVector<TV> where TRows : ITileRows
{
    private static readonly GemmBlocking s_blocking = GemmBlocking.For(TRows.Count, 2 * TV.Count, CacheSizes.Machine);

    public static int MR => TRows.Count;

    public static int NR => 2 * TV.Count;

    public static int KC => s_blocking.KC;

    public static int MC => s_blocking.MC;

    public static int NC => s_blocking.NC;

    private static bool EightRows => TRows.Count == 8;

    // a: [kc, MR] packed strip; b: [kc, NR] rows ldb apart; c: [MR, NR] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, nint ldb, int kc, float* c, nint ldc, bool accumulate)
    {
        PrefetchTile(c, ldc);
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        TV c60 = TV.Zero, c61 = TV.Zero;
        TV c70 = TV.Zero, c71 = TV.Zero;

        for (int p = 0; p < kc; p++)
        {
            TV b0 = TV.Load(b);
            TV b1 = TV.Load(b + TV.Count);
            TV ar;
            ar = TV.Create(a[0]);
            c00 = TV.MultiplyAdd(ar, b0, c00);
            c01 = TV.MultiplyAdd(ar, b1, c01);
            ar = TV.Create(a[1]);
            c10 = TV.MultiplyAdd(ar, b0, c10);
            c11 = TV.MultiplyAdd(ar, b1, c11);
            ar = TV.Create(a[2]);
            c20 = TV.MultiplyAdd(ar, b0, c20);
            c21 = TV.MultiplyAdd(ar, b1, c21);
            ar = TV.Create(a[3]);
            c30 = TV.MultiplyAdd(ar, b0, c30);
            c31 = TV.MultiplyAdd(ar, b1, c31);
            ar = TV.Create(a[4]);
            c40 = TV.MultiplyAdd(ar, b0, c40);
            c41 = TV.MultiplyAdd(ar, b1, c41);
            ar = TV.Create(a[5]);
            c50 = TV.MultiplyAdd(ar, b0, c50);
            c51 = TV.MultiplyAdd(ar, b1, c51);
            if (EightRows)
            {
                ar = TV.Create(a[6]);
                c60 = TV.MultiplyAdd(ar, b0, c60);
                c61 = TV.MultiplyAdd(ar, b1, c61);
                ar = TV.Create(a[7]);
                c70 = TV.MultiplyAdd(ar, b0, c70);
                c71 = TV.MultiplyAdd(ar, b1, c71);
            }

            a += TRows.Count;
            b += ldb;
        }

        Put(c00, c01, c, accumulate);
        Put(c10, c11, c + ldc, accumulate);
        Put(c20, c21, c + 2 * ldc, accumulate);
        Put(c30, c31, c + 3 * ldc, accumulate);
        Put(c40, c41, c + 4 * ldc, accumulate);
        Put(c50, c51, c + 5 * ldc, accumulate);
        if (EightRows)
        {
            Put(c60, c61, c + 6 * ldc, accumulate);
            Put(c70, c71, c + 7 * ldc, accumulate);
        }
    }

    // a: [kc, MR] packed strip; b: [kc, NR / 2] rows ldb apart; c: [MR, NR / 2] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunHalf(float* a, float* b, nint ldb, int kc, float* c, nint ldc)
    {
        TV h0 = TV.Zero;
        TV h1 = TV.Zero;
        TV h2 = TV.Zero;
        TV h3 = TV.Zero;
        TV h4 = TV.Zero;
        TV h5 = TV.Zero;
        TV h6 = TV.Zero;
        TV h7 = TV.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TV.Load(b);
            h0 = TV.MultiplyAdd(TV.Create(a[0]), b0, h0);
            h1 = TV.MultiplyAdd(TV.Create(a[1]), b0, h1);
            h2 = TV.MultiplyAdd(TV.Create(a[2]), b0, h2);
            h3 = TV.MultiplyAdd(TV.Create(a[3]), b0, h3);
            h4 = TV.MultiplyAdd(TV.Create(a[4]), b0, h4);
            h5 = TV.MultiplyAdd(TV.Create(a[5]), b0, h5);
            if (EightRows)
            {
                h6 = TV.MultiplyAdd(TV.Create(a[6]), b0, h6);
                h7 = TV.MultiplyAdd(TV.Create(a[7]), b0, h7);
            }
            a += TRows.Count;
            b += ldb;
        }
        TV.Store(h0, c);
        TV.Store(h1, c + ldc);
        TV.Store(h2, c + 2 * ldc);
        TV.Store(h3, c + 3 * ldc);
        TV.Store(h4, c + 4 * ldc);
        TV.Store(h5, c + 5 * ldc);
        if (EightRows)
        {
            TV.Store(h6, c + 6 * ldc);
            TV.Store(h7, c + 7 * ldc);
        }
    }

    /// <summary>
    /// Asks for the C tile's rows (NR floats each, on at most two cache lines) while the multiply-adds run: C is reached
    /// once per K block, a row stride apart, so its lines are usually in L3 or memory, and waiting for them at the end
    /// would stall the kernel for each of them in turn.
    /// </summary>
    // c: [MR, NR] rows ldc apart
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile(float* c, nint ldc)
    {
        if (!Sse.IsSupported)
            return;
        for (int r = 0; r < TRows.Count; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + (NR - 1));
        }
    }

    // c: [NR] one row of the C tile
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put(TV v0, TV v1, float* c, bool accumulate)
    {
        if (accumulate)
        {
            v0 += TV.Load(c);
            v1 += TV.Load(c + TV.Count);
        }
        TV.Store(v0, c);
        TV.Store(v1, c + TV.Count);
    }
}
