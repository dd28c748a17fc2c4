using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.Simd;

/// <summary>The widths a kernel can run at, by float lanes.</summary>
internal enum VectorWidth
{
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}

/// <summary>
/// Which width the kernels run at: the widest the JIT accelerates on this machine (so AVX-512 where it is fast,
/// AVX2, then SSE or NEON, then scalar when vector instructions are switched off), unless a test forces another.
/// A forced width belongs to the thread that forced it and to the worker-pool jobs it starts, so tests running side
/// by side never change each other's arithmetic. Every dispatch is counted per width and thread, so a test can
/// assert exactly which path its own calls ran.
/// </summary>
internal static class VectorWidths
{
    [ThreadStatic]
    private static long[]? t_dispatches;

    [ThreadStatic]
    private static int t_forced;

    /// <summary>The widest width that runs as vector instructions here.</summary>
    public static VectorWidth Accelerated { get; } =
        Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
        : Vector128.IsHardwareAccelerated ? VectorWidth.Vector128
        : VectorWidth.Scalar;

    /// <summary>The width kernels dispatch to now: <see cref="Accelerated"/>, or the one a test forced.</summary>
    public static VectorWidth Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int forced = t_forced;
            return forced == 0 ? Accelerated : (VectorWidth)forced;
        }
    }

    /// <summary>The width forced on this thread, 0 if none: the worker pool hands it to the threads that run a job.</summary>
    internal static int ForcedOnThisThread
    {
        get => t_forced;
        set => t_forced = value;
    }

    /// <summary>
    /// Makes the kernels called from this thread (and the pool jobs they start) run at <paramref name="width"/> until
    /// the scope is disposed. Widths the machine does not accelerate are emulated by the runtime: correct, only slow.
    /// </summary>
    public static ForcedWidth Force(VectorWidth width)
    {
        int previous = t_forced;
        t_forced = (int)width;
        return new ForcedWidth(previous);
    }

    /// <summary>How many dispatches this thread ran at <paramref name="width"/>.</summary>
    public static long Dispatches(VectorWidth width) => t_dispatches is { } counts ? counts[Slot(width)] : 0;

    /// <summary>
    /// Calls <c>job.Run&lt;TV, TW&gt;()</c> with the vector type of <see cref="Current"/> and counts it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dispatch<TJob>(ref TJob job) where TJob : struct, IWidthJob
    {
        VectorWidth width = Current;
        (t_dispatches ??= new long[5])[Slot(width)]++;
        switch (width)
        {
            case VectorWidth.Vector512:
                job.Run<Vec512, Vec512Wide>();
                break;
            case VectorWidth.Vector256:
                job.Run<Vec256, Vec256Wide>();
                break;
            case VectorWidth.Vector128:
                job.Run<Vec128, Vec128Wide>();
                break;
            default:
                job.Run<Scalar, ScalarWide>();
                break;
        }
    }

    private static int Slot(VectorWidth width) => width switch
    {
        VectorWidth.Vector512 => 4,
        VectorWidth.Vector256 => 3,
        VectorWidth.Vector128 => 2,
        _ => 1,
    };

    /// <summary>Restores the previous width when disposed.</summary>
    internal readonly struct ForcedWidth(int previous) : IDisposable
    {
        public void Dispose() => t_forced = previous;
    }
}

/// <summary>Work that runs at one width, chosen by <see cref="VectorWidths.Dispatch{TJob}"/>.</summary>
internal interface IWidthJob
{
    /// <summary>Runs the work with float vectors <typeparamref name="TV"/> and their double widening <typeparamref name="TW"/>.</summary>
    void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>;
}
