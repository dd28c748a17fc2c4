using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;
using Strata.Kernels.Reference;
using Strata.Kernels.Simd;

namespace Strata.Tests.Kernels.MatMul;


public class GemmTests
{
    public enum Variant { NN, NT, TN }

    public enum Kernel { Kernel8x32, Kernel6x16, Kernel8x8, Kernel6x8, Kernel6x2 }

    public static TheoryData<Variant, float, int> Sweeps()
    {
        var data = new TheoryData<Variant, float, int>();
        foreach (Variant variant in Enum.GetValues<Variant>())
        {
            foreach (float beta in new[] { 0f, 1f })
            {
                for (int dimension = 0; dimension < 3; dimension++)
                    data.Add(variant, beta, dimension);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sweeps))]
    public void Matches_reference_for_every_size_1_to_67_in_one_dimension(Variant variant, float beta, int dimension)
    {
        var random = new Random(1000 + (int)variant * 10 + dimension);
        for (int size = 1; size <= 67; size++)
        {
            int m = dimension == 0 ? size : 13;
            int k = dimension == 1 ? size : 37;
            int n = dimension == 2 ? size : dimension == 0 ? 37 : 13;
            CheckAgainstReference(variant, m, k, n, beta, random);
        }
    }

    [Theory]
    [InlineData(Variant.NN, 0f)]
    [InlineData(Variant.NN, 1f)]
    [InlineData(Variant.NT, 0f)]
    [InlineData(Variant.NT, 1f)]
    [InlineData(Variant.TN, 0f)]
    [InlineData(Variant.TN, 1f)]
    public void Matches_reference_for_random_shapes_up_to_300(Variant variant, float beta)
    {
        var random = new Random(77 + (int)variant * 2 + (int)beta);
        for (int trial = 0; trial < 6; trial++)
            CheckAgainstReference(variant, random.Next(1, 301), random.Next(1, 301), random.Next(1, 301), beta, random);
    }

    [Theory]
    [InlineData(Variant.NN, 32, 784, 300, 0f)]
    [InlineData(Variant.NT, 32, 300, 784, 0f)]
    [InlineData(Variant.TN, 784, 32, 300, 1f)]
    [InlineData(Variant.NN, 256, 784, 300, 0f)]
    [InlineData(Variant.TN, 300, 256, 100, 1f)]
    [InlineData(Variant.NN, 32, 100, 10, 0f)]
    public void Matches_reference_for_the_mlp_shapes(Variant variant, int m, int k, int n, float beta)
        => CheckAgainstReference(variant, m, k, n, beta, new Random(m + k + n));

    public static TheoryData<Kernel, Variant, float> KernelSweeps()
    {
        var data = new TheoryData<Kernel, Variant, float>();
        foreach (Kernel kernel in Enum.GetValues<Kernel>())
        {
            foreach (Variant variant in Enum.GetValues<Variant>())
            {
                data.Add(kernel, variant, 0f);
                data.Add(kernel, variant, 1f);
            }
        }
        return data;
    }

    /// <summary>
    /// Every micro-kernel, whether or not this machine would pick it (a kernel whose vectors are not accelerated runs
    /// on emulated vectors: correct, only slower, so the shapes stay small), on the shapes that reach each edge path
    /// and every blocking loop of the machine's own KC, MC and NC.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelSweeps))]
    public void Every_kernel_matches_reference_on_edge_and_blocking_shapes(Kernel kernel, Variant variant, float beta)
    {
        var random = new Random(31 + (int)kernel * 7 + (int)variant * 2 + (int)beta);
        (int mr, int nr, int kc, int mc, int nc) = Geometry(kernel);
        (int M, int K, int N)[] shapes =
        [
            (1, 1, 1),
            (mr, 8, nr),                            // exactly one tile
            (mr + 1, 8, nr),                        // one row past a tile
            (mr, 9, nr + 1),                        // one column past a tile
            (mr, 11, nr / 2),                       // the half-width kernel alone
            (2 * mr - 1, 13, nr / 2 + 1),           // a full-width edge tile just past half
            (2 * mr + 1, kc + 1, nr + 3),           // one step past a K block
            (3, 2 * kc + 13, 2 * nr + 3),           // several K blocks
            (mc + mr + 1, 21, nr + 3),              // more rows than a row block
            (mc + 7, kc + 9, 2 * nr + 5),           // several row and K blocks together
            (5, 7, nc + nr + 1),                    // more columns than a column block
        ];
        foreach ((int m, int k, int n) in shapes)
            CheckAgainstReference(variant, m, k, n, beta, random, kernel);
    }

    [Fact]
    public void The_chosen_kernel_has_hardware_fma()
    {
        // Vec512's MultiplyAdd is FusedMultiplyAdd, which would run in software without FMA, so where the 512-bit
        // kernel is chosen FMA must be hardware; the narrower widths fuse only where the hardware can. ARM64 always has FMA.
        if (X86Base.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated)
                Assert.True(Fma.IsSupported && Avx512F.IsSupported);
            if (Vector256.IsHardwareAccelerated)
                Assert.True(Fma.IsSupported && Avx2.IsSupported);
        }
    }

    [Fact]
    public void Beta_zero_ignores_nan_in_c_and_beta_one_accumulates()
    {
        float[] a = [1, 2, 3, 4];       // [2, 2]
        float[] b = [5, 6, 7, 8];       // [2, 2]
        float[] c = [float.NaN, float.NaN, float.PositiveInfinity, float.NaN];
        Gemm.NN(a, b, 2, 2, 2, 0f, c);
        Assert.Equal([19f, 22f, 43f, 50f], c);
        Gemm.NN(a, b, 2, 2, 2, 1f, c);
        Assert.Equal([38f, 44f, 86f, 100f], c);
    }

    [Theory]
    [InlineData(Variant.NN)]
    [InlineData(Variant.NT)]
    [InlineData(Variant.TN)]
    public void K_zero_gives_beta_times_c(Variant variant)
    {
        float[] c = [float.NaN, 2f, 3f, float.NaN, 5f, 6f];
        Multiply(variant, [], [], 2, 0, 3, 0f, c);
        Assert.All(c, v => Assert.Equal(0f, v));

        float[] kept = [1f, 2f, 3f, 4f, 5f, 6f];
        Multiply(variant, [], [], 2, 0, 3, 1f, kept);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], kept);
    }

    [Fact]
    public void Empty_m_or_n_does_nothing()
    {
        Gemm.NN([], new float[12], 0, 3, 4, 0f, []);
        Gemm.NT(new float[6], [], 2, 3, 0, 0f, []);
    }

    [Fact]
    public void Rejects_short_spans_bad_beta_negative_sizes_and_overlap()
    {
        var a = new float[6];   // [2, 3]
        var b = new float[12];  // [3, 4]
        var c = new float[8];   // [2, 4]
        var e = Assert.Throws<ArgumentException>("a", () => Gemm.NN(new float[5], b, 2, 3, 4, 0f, c));
        Assert.Contains("m·k", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("b", () => Gemm.NT(a, new float[11], 2, 3, 4, 0f, c));
        Assert.Throws<ArgumentException>("c", () => Gemm.TN(a, b, 2, 3, 4, 1f, new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>("beta", () => Gemm.NN(a, b, 2, 3, 4, 0.5f, c));
        Assert.Throws<ArgumentOutOfRangeException>("beta", () => Gemm.NN(a, b, 2, 3, 4, float.NaN, c));
        Assert.Throws<ArgumentOutOfRangeException>("m", () => Gemm.NN(a, b, -1, 3, 4, 0f, c));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => Gemm.NN(a, b, 2, -3, 4, 0f, c));
        var shared = new float[20];
        Assert.Throws<ArgumentException>("c", () => Gemm.NN(shared.AsSpan(0, 6), b, 2, 3, 4, 0f, shared.AsSpan(4, 8)));
    }

    private static void Multiply(Variant variant, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
    {
        switch (variant)
        {
            case Variant.NN: Gemm.NN(a, b, m, k, n, beta, c); break;
            case Variant.NT: Gemm.NT(a, b, m, k, n, beta, c); break;
            default: Gemm.TN(a, b, m, k, n, beta, c); break;
        }
    }

    internal static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>
    /// Compares with the double-accumulating reference. Float summation of k products errs by at most about
    /// k·u·Σ|a||b| (u = 2⁻²⁴), so the tolerance is that bound (plus |c| for beta = 1), element by element.
    /// </summary>
    private static void CheckAgainstReference(Variant variant, int m, int k, int n, float beta, Random random,
        Kernel? kernel = null)
    {
        bool transA = variant == Variant.TN, transB = variant == Variant.NT;
        float[] a = RandomValues(random, m * k);
        float[] b = RandomValues(random, k * n);
        float[] c = beta == 0f ? Enumerable.Repeat(float.NaN, m * n).ToArray() : RandomValues(random, m * n);
        float[] expected = (float[])c.Clone();
        ReferenceGemm.Multiply(a, transA, b, transB, m, k, n, beta, expected);

        float[] bound = new float[m * n];
        ReferenceGemm.Multiply(a.Select(Math.Abs).ToArray(), transA, b.Select(Math.Abs).ToArray(), transB, m, k, n, 0f, bound);

        float[] before = (float[])c.Clone();
        switch (kernel)
        {
            case null: Multiply(variant, a, b, m, k, n, beta, c); break;
            case Kernel.Kernel8x32: Gemm.Multiply<Kernel<Vec512, Rows8>>(a, transA, b, transB, m, k, n, beta, c); break;
            case Kernel.Kernel6x16: Gemm.Multiply<Kernel<Vec256, Rows6>>(a, transA, b, transB, m, k, n, beta, c); break;
            case Kernel.Kernel8x8: Gemm.Multiply<Kernel<Vec128, Rows8>>(a, transA, b, transB, m, k, n, beta, c); break;
            case Kernel.Kernel6x8: Gemm.Multiply<Kernel<Vec128, Rows6>>(a, transA, b, transB, m, k, n, beta, c); break;
            default: Gemm.Multiply<Kernel<Scalar, Rows6>>(a, transA, b, transB, m, k, n, beta, c); break;
        }
        for (int i = 0; i < m * n; i++)
        {
            double scale = bound[i] + (beta == 0f ? 0 : Math.Abs(before[i]));
            double tolerance = (k + 2) * Math.Pow(2, -24) * scale + 1e-30;
            if (!(Math.Abs(c[i] - expected[i]) <= tolerance))
                Assert.Fail($"{kernel} {variant} m={m} k={k} n={n} beta={beta}: C[{i / n}, {i % n}] = {c[i]}, expected {expected[i]} ± {tolerance}");
        }
    }

    /// <summary>MR, NR and the machine's KC, MC, NC of a kernel.</summary>
    internal static (int MR, int NR, int KC, int MC, int NC) Geometry(Kernel kernel) => kernel switch
    {
        Kernel.Kernel8x32 => Geometry<Kernel<Vec512, Rows8>>(),
        Kernel.Kernel6x16 => Geometry<Kernel<Vec256, Rows6>>(),
        Kernel.Kernel8x8 => Geometry<Kernel<Vec128, Rows8>>(),
        Kernel.Kernel6x8 => Geometry<Kernel<Vec128, Rows6>>(),
        _ => Geometry<Kernel<Scalar, Rows6>>(),
    };

    private static (int MR, int NR, int KC, int MC, int NC) Geometry<TKernel>() where TKernel : unmanaged, IMicroKernel
        => (TKernel.MR, TKernel.NR, TKernel.KC, TKernel.MC, TKernel.NC);
}

[Collection(nameof(WorkerPoolSettings))]
public class GemmThreadingTests
{
    [Theory]
    [InlineData(GemmTests.Variant.NN, 32, 784, 300)]
    [InlineData(GemmTests.Variant.NT, 32, 300, 784)]
    [InlineData(GemmTests.Variant.TN, 784, 32, 300)]
    [InlineData(GemmTests.Variant.NN, 256, 784, 300)]
    [InlineData(GemmTests.Variant.NT, 517, 333, 211)]
    [InlineData(GemmTests.Variant.TN, 129, 700, 2100)]
    [InlineData(GemmTests.Variant.NN, 600, 500, 300)]
    [InlineData(GemmTests.Variant.NT, 300, 700, 400)]
    public void Results_are_bit_identical_for_any_thread_count(GemmTests.Variant variant, int m, int k, int n)
    {
        var random = new Random(m * 7 + n);
        float[] a = GemmTests.RandomValues(random, m * k);
        float[] b = GemmTests.RandomValues(random, k * n);
        float[] start = GemmTests.RandomValues(random, m * n);
        int saved = WorkerPool.ThreadCount;
        try
        {
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                WorkerPool.ThreadCount = threads;
                float[] c = (float[])start.Clone();
                Run(variant, a, b, m, k, n, c);
                first ??= c;
                Assert.Equal(first, c);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    [Theory]
    [InlineData(GemmTests.Variant.NN)]
    [InlineData(GemmTests.Variant.NT)]
    [InlineData(GemmTests.Variant.TN)]
    public void Products_above_the_parallel_threshold_are_bit_identical_for_any_thread_count(GemmTests.Variant variant)
    {
        // ParallelFlops depends on this machine's L2, so the shape is cut to lie just above it: the threaded path.
        const int k = 200, n = 300;
        int m = (int)(Gemm.ParallelFlops / (2L * k * n)) + 7;
        Results_are_bit_identical_for_any_thread_count(variant, m, k, n);
    }

    [Fact]
    public void Allocates_nothing_on_the_managed_heap_after_warm_up()
    {
        var random = new Random(3);
        float[] x = GemmTests.RandomValues(random, 256 * 784);
        float[] w = GemmTests.RandomValues(random, 784 * 300);
        float[] y = new float[256 * 300];
        float[] dx = new float[256 * 784];
        float[] dw = new float[784 * 300];
        int[] batches = [32, 256];
        int saved = WorkerPool.ThreadCount;
        try
        {
            WorkerPool.ThreadCount = 2;
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
                Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }

        void Step()
        {
            foreach (int batch in batches)
            {
                Gemm.NN(x, w, batch, 784, 300, 0f, y);                // forward (parallel)
                Gemm.NT(y, w, batch, 300, 784, 0f, dx);               // input gradient
                Gemm.TN(x, y, 784, batch, 300, 1f, dw);               // weight gradient
                Gemm.NN(x, w, batch, 10, 10, 0f, y);                  // small: calling thread only
            }
        }
    }

    /// <summary>
    /// The shared-B̃ split (every thread packs part of B̃, each part its own Ã) gives the single-thread product bit for
    /// bit, for any number of parts and pool threads, with row, column and K edges, in NN, NT and TN.
    /// </summary>
    [Theory]
    [InlineData(GemmTests.Variant.NN, 2, 2)]
    [InlineData(GemmTests.Variant.NT, 3, 2)]
    [InlineData(GemmTests.Variant.TN, 5, 3)]
    [InlineData(GemmTests.Variant.NN, 4, 1)]
    public void The_shared_B_split_gives_the_single_thread_product_bit_for_bit(GemmTests.Variant variant, int parts, int threads)
    {
        GemmTests.Kernel kernel = CurrentKernel();
        (int mr, int nr, int kc, int mc, _) = GemmTests.Geometry(kernel);
        // Each part gets more than one row block; K spans two blocks and N ends in a ragged strip.
        int m = parts * (mc + 2 * mr) + 5, k = kc + 37, n = 3 * nr + 5;
        var random = new Random(parts * 11 + threads);
        float[] a = GemmTests.RandomValues(random, m * k);
        float[] b = GemmTests.RandomValues(random, k * n);
        float[] start = GemmTests.RandomValues(random, m * n);
        bool transA = variant == GemmTests.Variant.TN, transB = variant == GemmTests.Variant.NT;
        int saved = WorkerPool.ThreadCount;
        try
        {
            WorkerPool.ThreadCount = threads;
            foreach (float beta in new[] { 0f, 1f })
            {
                float[] expected = (float[])start.Clone(), shared = (float[])start.Clone();
                Multiply(kernel, a, transA, b, transB, m, k, n, beta, expected, new Gemm.Split(false, 1, m), 1);
                Multiply(kernel, a, transA, b, transB, m, k, n, beta, shared,
                    new Gemm.Split(false, parts, (m + parts - 1) / parts, SharedB: true), threads);
                Assert.Equal(expected, shared);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    [Fact]
    public void The_planner_shares_B_in_a_tall_split_and_not_in_a_batch_sized_one()
    {
        GemmTests.Kernel kernel = CurrentKernel();
        int mc = GemmTests.Geometry(kernel).MC;
        // Every M split of 16 row blocks leaves each part several blocks; 64 columns give N splits little to share.
        Assert.True(Plan(kernel, 16 * mc, 512, 64, 2).SharedB);
        Assert.False(Plan(kernel, 32, 784, 300, 2).SharedB);
        Assert.False(Plan(kernel, 16 * mc, 512, 64, 1).SharedB);
    }

    private static GemmTests.Kernel CurrentKernel() => VectorWidths.Current switch
    {
        VectorWidth.Vector512 => GemmTests.Kernel.Kernel8x32,
        VectorWidth.Vector256 => GemmTests.Kernel.Kernel6x16,
        VectorWidth.Vector128 when System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported => GemmTests.Kernel.Kernel8x8,
        VectorWidth.Vector128 => GemmTests.Kernel.Kernel6x8,
        _ => GemmTests.Kernel.Kernel6x2,
    };

    private static Gemm.Split Plan(GemmTests.Kernel kernel, int m, int k, int n, int threads) => kernel switch
    {
        GemmTests.Kernel.Kernel8x32 => Gemm.Plan<Kernel<Vec512, Rows8>>(m, k, n, false, threads),
        GemmTests.Kernel.Kernel6x16 => Gemm.Plan<Kernel<Vec256, Rows6>>(m, k, n, false, threads),
        GemmTests.Kernel.Kernel8x8 => Gemm.Plan<Kernel<Vec128, Rows8>>(m, k, n, false, threads),
        GemmTests.Kernel.Kernel6x8 => Gemm.Plan<Kernel<Vec128, Rows6>>(m, k, n, false, threads),
        _ => Gemm.Plan<Kernel<Scalar, Rows6>>(m, k, n, false, threads),
    };

    private static void Multiply(GemmTests.Kernel kernel, float[] a, bool transA, float[] b, bool transB, int m, int k, int n,
        float beta, float[] c, Gemm.Split split, int threads)
    {
        switch (kernel)
        {
            case GemmTests.Kernel.Kernel8x32: Gemm.Multiply<Kernel<Vec512, Rows8>>(a, transA, b, transB, m, k, n, beta, c, split, threads); break;
            case GemmTests.Kernel.Kernel6x16: Gemm.Multiply<Kernel<Vec256, Rows6>>(a, transA, b, transB, m, k, n, beta, c, split, threads); break;
            case GemmTests.Kernel.Kernel8x8: Gemm.Multiply<Kernel<Vec128, Rows8>>(a, transA, b, transB, m, k, n, beta, c, split, threads); break;
            case GemmTests.Kernel.Kernel6x8: Gemm.Multiply<Kernel<Vec128, Rows6>>(a, transA, b, transB, m, k, n, beta, c, split, threads); break;
            default: Gemm.Multiply<Kernel<Scalar, Rows6>>(a, transA, b, transB, m, k, n, beta, c, split, threads); break;
        }
    }

    private static void Run(GemmTests.Variant variant, float[] a, float[] b, int m, int k, int n, float[] c)
    {
        switch (variant)
        {
            case GemmTests.Variant.NN: Gemm.NN(a, b, m, k, n, 1f, c); break;
            case GemmTests.Variant.NT: Gemm.NT(a, b, m, k, n, 1f, c); break;
            default: Gemm.TN(a, b, m, k, n, 1f, c); break;
        }
    }
}
