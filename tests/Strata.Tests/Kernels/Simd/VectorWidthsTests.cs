using System.Runtime.Intrinsics;
using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Tests.Kernels.Simd;

/// <summary>
/// The width the kernels run at is the widest the JIT accelerates, and it is the one that really runs. CI runs the
/// kernel tests again with the JIT limited (DOTNET_PreferredVectorBitWidth=128 with DOTNET_EnableAVX2=0,
/// DOTNET_EnableHWIntrinsic=0, DOTNET_EnableAVX512=0); these tests then prove that the limited path is what ran.
/// </summary>
public class VectorWidthsTests
{
    [Fact]
    public void The_dispatch_picks_the_widest_accelerated_width()
    {
        VectorWidth expected = Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
            : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
            : Vector128.IsHardwareAccelerated ? VectorWidth.Vector128
            : VectorWidth.Scalar;
        Assert.Equal(expected, VectorWidths.Accelerated);
        Assert.Equal(expected, VectorWidths.Current);
    }

    [Fact]
    public void The_width_follows_the_jit_settings_of_this_run()
    {
        // The settings CI uses for its limited runs; without any of them the machine's own width applies.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.Equal(VectorWidth.Scalar, VectorWidths.Accelerated);
        else if (Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") == "128")
            Assert.Equal(VectorWidth.Vector128, VectorWidths.Accelerated);
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
            Assert.NotEqual(VectorWidth.Vector512, VectorWidths.Accelerated);
        else
            Assert.NotEqual(VectorWidth.Scalar, VectorWidths.Accelerated);
    }

    [Fact]
    public void A_training_kernel_runs_on_the_accelerated_path()
    {
        long before = VectorWidths.Dispatches(VectorWidths.Accelerated);
        float[] g = new float[100], w = new float[100];
        OptimizerKernels.Sgd(g, 0.1f, w);
        ActivationKernels.LeakyReluForward(g, 0.1f, w);
        Assert.Equal(before + 2, VectorWidths.Dispatches(VectorWidths.Accelerated));
    }

    /// <summary>Records the width each part sees.</summary>
    private unsafe struct RecordWidth : WorkerPool.IChunkBody
    {
        public int* Seen;

        public readonly void Execute(int chunk) => Seen[chunk] = (int)VectorWidths.Current;
    }

    [Fact]
    public unsafe void A_forced_width_reaches_the_worker_pool_and_ends_with_its_scope()
    {
        // Pinned parts: part 1 runs on worker 1 whenever the pool has a second thread and is free (else here).
        var seen = new int[2];
        using (Widths.Force(4))
        {
            fixed (int* p = seen)
            {
                var body = new RecordWidth { Seen = p };
                WorkerPool.RunPinned(2, ref body);
            }
        }
        Assert.Equal([4, 4], seen);
        Assert.Equal(VectorWidths.Accelerated, VectorWidths.Current);
    }
}
