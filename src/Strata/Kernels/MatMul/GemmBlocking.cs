using Strata.Kernels.Parallel;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The cache blocking of the GEMM loop nest for an MR × NR register tile, sized from the caches (the BLIS scheme): each
/// packed operand is sized by the cache level it is reused from.
/// <list type="bullet">
/// <item><c>KC</c>: a B̃ micro-panel, KC·NR·4 bytes, is reread by every Ã strip of a block, so it may fill L1d (the Ã
/// micro-panel streams past it from L2, which the hardware prefetcher keeps ahead of the FMAs); rounded down to a
/// multiple of 8 (the packing transposes go 8 steps at a time) and clamped to [64, 256]: at 256 steps the load and
/// store of the C tile are already 1/256 of the tile's work, and a longer K block only takes L2 from the Ã block.
/// (Measured on 8×32 with a 32 KiB L1d: KC 256 runs about 10% faster than 128 or 192.)</item>
/// <item><c>MC</c>: the Ã block, MC·KC·4 bytes, is reread for every B̃ strip, so it gets half of L2; a multiple of MR,
/// clamped to [MR, 1024].</item>
/// <item><c>NC</c>: the B̃ block, KC·NC·4 bytes, is reread for every Ã block, so it gets half of L3; a multiple of NR,
/// clamped to [NR, 8192].</item>
/// </list>
/// The clamps keep a K block long enough to amortise loading and storing the C tile, and the blocks small enough that
/// an unusually large or misreported cache does not make the packing buffers huge.
/// </summary>
internal readonly record struct GemmBlocking(int KC, int MC, int NC)
{
    public const int KcMultiple = 8;
    public const int MinKC = 64;
    public const int MaxKC = 256;
    public const int MaxMC = 1024;
    public const int MaxNC = 8192;

    /// <summary>The blocking of an <paramref name="mr"/> × <paramref name="nr"/> tile on caches of the given sizes.</summary>
    public static GemmBlocking For(int mr, int nr, CacheSizes caches)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mr);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nr);
        int kc = Fit(caches.L1Data, (long)nr * sizeof(float), KcMultiple, MinKC, MaxKC);
        int mc = Fit(caches.L2 / 2, (long)kc * sizeof(float), mr, mr, MaxMC);
        int nc = Fit(caches.L3 / 2, (long)kc * sizeof(float), nr, nr, MaxNC);
        return new GemmBlocking(kc, mc, nc);
    }

    /// <summary>
    /// The largest multiple of <paramref name="multiple"/> whose <paramref name="bytesEach"/>-byte items fit in
    /// <paramref name="budget"/> bytes, clamped to [min, max] with min rounded up and max rounded down to that multiple.
    /// </summary>
    private static int Fit(long budget, long bytesEach, int multiple, int min, int max)
    {
        long count = Math.Max(budget, 0) / bytesEach / multiple * multiple;
        long low = (min + multiple - 1L) / multiple * multiple;
        long high = Math.Max(low, max / multiple * multiple);
        return (int)Math.Clamp(count, low, high);
    }
}
