using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;

namespace Strata.Tests.Kernels.MatMul;

/// <summary>The GEMM blocking and parallel threshold derived from the cache sizes, and the reading of those sizes.</summary>
public class GemmBlockingTests
{
    private const long K = 1L << 10, M = 1L << 20;

    [Theory]
    [InlineData(GemmTests.Kernel.Kernel8x32)]
    [InlineData(GemmTests.Kernel.Kernel6x16)]
    [InlineData(GemmTests.Kernel.Kernel8x8)]
    [InlineData(GemmTests.Kernel.Kernel6x8)]
    [InlineData(GemmTests.Kernel.Kernel6x2)]
    public void Each_kernel_takes_the_blocking_of_this_machines_caches(GemmTests.Kernel kernel)
    {
        (int mr, int nr, int kc, int mc, int nc) = GemmTests.Geometry(kernel);
        Assert.Equal(GemmBlocking.For(mr, nr, CacheSizes.Machine), new GemmBlocking(kc, mc, nc));
        AssertInvariants(mr, nr, new GemmBlocking(kc, mc, nc));
    }

    [Fact]
    public void Blocking_keeps_its_invariants_for_any_cache_sizes()
    {
        long[] l1s = [0, 1 * K, 16 * K, 32 * K, 48 * K, 64 * K, 80 * K, 1 * M];
        long[] l2s = [0, 64 * K, 256 * K, 512 * K, 1 * M, 1280 * K, 2 * M, 64 * M];
        long[] l3s = [0, 2 * M, 32 * M, 96 * M, 1024 * M];
        foreach ((int mr, int nr) in new[] { (8, 32), (6, 16), (6, 8), (14, 32), (5, 12) })
        {
            foreach (long l1 in l1s)
            {
                foreach (long l2 in l2s)
                {
                    foreach (long l3 in l3s)
                        AssertInvariants(mr, nr, GemmBlocking.For(mr, nr, new CacheSizes(l1, l2, l3)));
                }
            }
        }
    }

    [Theory]
    // KC·NR·4 = L1d (at most 256 steps), MC·KC·4 = L2/2, KC·NC·4 = L3/2, each rounded down and clamped.
    [InlineData(8, 32, 32 * K, 1 * M, 32 * M, 256, 512, 8192)]
    [InlineData(8, 32, 48 * K, 1 * M, 32 * M, 256, 512, 8192)]
    [InlineData(6, 16, 48 * K, 1 * M, 32 * M, 256, 510, 8192)]
    [InlineData(6, 16, 32 * K, 256 * K, 8 * M, 256, 126, 4096)]
    [InlineData(6, 8, 32 * K, 512 * K, 8 * M, 256, 252, 4096)]
    [InlineData(6, 8, 8 * K, 64 * K, 1 * M, 256, 30, 512)]
    [InlineData(8, 32, 4 * K, 16 * K, 64 * K, 64, 32, 128)]
    public void Blocking_follows_the_cache_rule(int mr, int nr, long l1, long l2, long l3, int kc, int mc, int nc)
        => Assert.Equal(new GemmBlocking(kc, mc, nc), GemmBlocking.For(mr, nr, new CacheSizes(l1, l2, l3)));

    [Theory]
    [InlineData("48K", 48 * K)]
    [InlineData("1024K", 1024 * K)]
    [InlineData("32768K", 32768 * K)]
    [InlineData("1M", 1 * M)]
    [InlineData("2G", 2048 * M)]
    [InlineData("512", 512L)]
    [InlineData(" 64k\n", 64 * K)]
    [InlineData("", 0L)]
    [InlineData(null, 0L)]
    [InlineData("K", 0L)]
    [InlineData("-1K", 0L)]
    [InlineData("12.5M", 0L)]
    [InlineData("big", 0L)]
    [InlineData("99999999999K", 0L)]
    public void Cache_sizes_parse_as_sysfs_writes_them(string? text, long bytes)
        => Assert.Equal(bytes, CacheSizes.ParseSize(text));

    [Fact]
    public void Cache_sizes_are_read_from_a_sysfs_cache_directory()
    {
        string root = Path.Combine(Path.GetTempPath(), "strata-caches-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteCache(root, 0, "1", "Data", "48K");
            WriteCache(root, 1, "1", "Instruction", "32K");
            WriteCache(root, 2, "2", "Unified", "1024K");
            WriteCache(root, 3, "3", "Unified", "32768K");
            Assert.Equal(new CacheSizes(48 * K, 1 * M, 32 * M), CacheSizes.Read(root));

            // A level missing from the directory takes its default; the instruction cache never counts as L1d.
            Directory.Delete(Path.Combine(root, "index3"), recursive: true);
            Directory.Delete(Path.Combine(root, "index0"), recursive: true);
            Assert.Equal(new CacheSizes(CacheSizes.DefaultL1Data, 1 * M, CacheSizes.DefaultL3), CacheSizes.Read(root));
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }

        Assert.Equal(new CacheSizes(CacheSizes.DefaultL1Data, CacheSizes.DefaultL2, CacheSizes.DefaultL3), CacheSizes.Read(root));
    }

    [Fact]
    public void This_machine_has_positive_cache_sizes()
    {
        CacheSizes caches = CacheSizes.Machine;
        Assert.True(caches.L1Data > 0 && caches.L2 > 0 && caches.L3 > 0, caches.ToString());
    }

    [Fact]
    public void Parallel_threshold_is_the_square_product_whose_weight_fills_l2()
    {
        // 1 MiB of L2 holds a 512 × 512 float matrix: 2·512³ flops.
        Assert.Equal(2L * 512 * 512 * 512, Gemm.ParallelFlopsFor(1 * M));
        Assert.Equal(2L * 256 * 256 * 256, Gemm.ParallelFlopsFor(256 * K));
        Assert.Equal(Gemm.ParallelFlopsFor(CacheSizes.Machine.L2), Gemm.ParallelFlops);
    }

    private static void AssertInvariants(int mr, int nr, GemmBlocking blocking)
    {
        string where = $"{mr}x{nr} {blocking}";
        Assert.True(blocking.KC % 8 == 0 && blocking.KC >= GemmBlocking.MinKC && blocking.KC <= GemmBlocking.MaxKC, where);
        Assert.True(blocking.MC % mr == 0 && blocking.MC >= mr && blocking.MC <= GemmBlocking.MaxMC, where);
        Assert.True(blocking.NC % nr == 0 && blocking.NC >= nr && blocking.NC <= GemmBlocking.MaxNC, where);
    }

    private static void WriteCache(string root, int index, string level, string type, string size)
    {
        string directory = Path.Combine(root, $"index{index}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "level"), level + "\n");
        File.WriteAllText(Path.Combine(directory, "type"), type + "\n");
        File.WriteAllText(Path.Combine(directory, "size"), size + "\n");
    }
}
