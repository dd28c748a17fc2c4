using System.Runtime.Intrinsics.Arm;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>Work that runs with one GEMM micro-kernel, chosen by <see cref="MicroKernels.Dispatch{TJob}"/>.</summary>
internal interface IKernelJob
{
    void Run<TKernel>() where TKernel : unmanaged, IMicroKernel;
}

/// <summary>
/// Which register tile the products use: the one of the current vector width (<see cref="VectorWidths.Current"/>, so a
/// test that forces a width also forces its tile), shaped by the register file — 8 rows where there are 32 vector
/// registers (AVX-512, ARM64), 6 where there are 16 (AVX2, SSE), and a 6×2 scalar tile without vector hardware.
/// </summary>
internal static class MicroKernels
{
    /// <summary>Calls <c>job.Run&lt;TKernel&gt;()</c> with the micro-kernel of the current width.</summary>
    public static void Dispatch<TJob>(ref TJob job) where TJob : struct, IKernelJob, allows ref struct
    {
        switch (VectorWidths.Current)
        {
            case VectorWidth.Vector512:
                job.Run<Kernel<Vec512, Rows8>>();
                break;
            case VectorWidth.Vector256:
                job.Run<Kernel<Vec256, Rows6>>();
                break;
            case VectorWidth.Vector128 when AdvSimd.Arm64.IsSupported:
                job.Run<Kernel<Vec128, Rows8>>();
                break;
            case VectorWidth.Vector128:
                job.Run<Kernel<Vec128, Rows6>>();
                break;
            default:
                job.Run<Kernel<Scalar, Rows6>>();
                break;
        }
    }
}
