using System.Runtime.Intrinsics.Arm;
using Strata.Kernels.MatMul;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels.MatMul;

/// <summary>The products take the register tile of the vector width they run at.</summary>
public class MicroKernelsTests
{
    private struct RecordTile : IKernelJob
    {
        public (int Rows, int Columns) Tile;

        public void Run<TKernel>() where TKernel : unmanaged, IMicroKernel => Tile = (TKernel.MR, TKernel.NR);
    }

    [Theory]
    [InlineData(16, 8, 32)]
    [InlineData(8, 6, 16)]
    [InlineData(4, 6, 8)]
    [InlineData(1, 6, 2)]
    public void Each_width_has_its_tile(int lanes, int rows, int columns)
    {
        if (lanes == 4 && AdvSimd.Arm64.IsSupported) rows = 8; // NEON's 32 registers hold the 8-row tile
        var job = new RecordTile();
        using (Widths.Force(lanes))
            MicroKernels.Dispatch(ref job);
        Assert.Equal((rows, columns), job.Tile);
    }
}
