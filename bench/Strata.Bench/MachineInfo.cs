using System.Diagnostics;
using System.Runtime.InteropServices;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Bench;

/// <summary>
/// What every bench prints first, so a figure always names its machine: the CPU, the vector width the kernels run
/// at (after any DOTNET_* limits), and the FMA peak measured in the same run by the GEMM micro-kernel of that width
/// on L1-resident panels, the ceiling the "% of peak" columns compare with.
/// </summary>
internal static class MachineInfo
{
    private static readonly Dictionary<int, double> s_peaks = [];

    /// <summary>The CPU's model name (Linux), or the architecture elsewhere.</summary>
    public static string Cpu
    {
        get
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>The JIT limits of this run, as set in the environment ("none" without any).</summary>
    public static string JitLimits
    {
        get
        {
            string[] names = ["DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_PreferredVectorBitWidth", "DOTNET_EnableHWIntrinsic"];
            var set = names.Where(n => Environment.GetEnvironmentVariable(n) is not null)
                .Select(n => $"{n}={Environment.GetEnvironmentVariable(n)}").ToArray();
            return set.Length == 0 ? "none" : string.Join(' ', set);
        }
    }

    /// <summary>Whether the kernels run narrower than the CPU could (a DOTNET_* limit): PyTorch is then limited to AVX2 too.</summary>
    public static bool Limited => JitLimits != "none";

    /// <summary>Prints the CPU, the vector width, the JIT limits and the FMA peak on 1 and <paramref name="threads"/> threads.</summary>
    public static void PrintHeader(int threads)
    {
        Console.WriteLine($"CPU: {Cpu}, {Environment.ProcessorCount} logical processors; .NET {Environment.Version}");
        Console.WriteLine($"Vector width: {VectorWidths.Accelerated} (JIT limits: {JitLimits}); GEMM micro-kernel {KernelName}");
        Console.WriteLine($"FMA peak (micro-kernel, L1-resident): {FmaPeak(1):F1} GFLOPS on 1 thread, {FmaPeak(threads):F1} on {threads}");
        if (Limited)
            Console.WriteLine("PyTorch limited the same way: OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2");
        Console.WriteLine($"Load average at start: {LoadAverage}");
    }

    /// <summary>The 1/5/15-minute load averages (Linux), to judge how much other work shared the cores.</summary>
    public static string LoadAverage
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string KernelName => VectorWidths.Accelerated switch
    {
        VectorWidth.Vector512 => "8×32 (Vector512)",
        VectorWidth.Vector256 => "6×16 (Vector256)",
        VectorWidth.Vector128 when System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported => "8×8 (Vector128, NEON)",
        VectorWidth.Vector128 => "6×8 (Vector128)",
        _ => "none (scalar reference)",
    };

    /// <summary>GFLOPS of the micro-kernel of this run's width on <paramref name="threads"/> threads, measured once per count.</summary>
    public static double FmaPeak(int threads)
    {
        if (!s_peaks.TryGetValue(threads, out double peak))
        {
            peak = VectorWidths.Accelerated switch
            {
                VectorWidth.Vector512 => Peak<Kernel<Vec512, Rows8>>(threads),
                VectorWidth.Vector256 => Peak<Kernel<Vec256, Rows6>>(threads),
                VectorWidth.Vector128 when System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported => Peak<Kernel<Vec128, Rows8>>(threads),
                VectorWidth.Vector128 => Peak<Kernel<Vec128, Rows6>>(threads),
                _ => double.NaN,
            };
            s_peaks[threads] = peak;
        }
        return peak;
    }

    private static unsafe double Peak<TKernel>(int threads) where TKernel : unmanaged, IMicroKernel
    {
        const int Kc = 256, Calls = 20_000;
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = threads;
        var buffers = new List<nint>();
        try
        {
            var body = new PeakBody<TKernel> { Calls = Calls, Kc = Kc };
            for (int t = 0; t < 3; t++)
            {
                nint bytes = (nint)sizeof(float) * (TKernel.MR * Kc + TKernel.NR * Kc + TKernel.MR * TKernel.NR) * threads;
                var block = (float*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
                new Span<float>(block, (int)(bytes / sizeof(float))).Fill(1e-3f);
                buffers.Add((nint)block);
            }
            body.A = (float*)buffers[0];
            body.B = (float*)buffers[1];
            body.C = (float*)buffers[2];
            WorkerPool.Run(threads, ref body);
            var rates = new List<double>();
            for (int repeat = 0; repeat < 5; repeat++)
            {
                long start = Stopwatch.GetTimestamp();
                WorkerPool.Run(threads, ref body);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                rates.Add(2.0 * TKernel.MR * TKernel.NR * Kc * Calls * threads / seconds / 1e9);
            }
            return BenchSupport.Median(rates);
        }
        finally
        {
            foreach (nint block in buffers)
                NativeMemory.AlignedFree((void*)block);
            WorkerPool.ThreadCount = saved;
        }
    }

    private unsafe struct PeakBody<TKernel> : WorkerPool.IChunkBody where TKernel : unmanaged, IMicroKernel
    {
        public float* A;
        public float* B;
        public float* C;
        public int Calls;
        public int Kc;

        public readonly void Execute(int chunk)
        {
            float* a = A + chunk * TKernel.MR * Kc;
            float* b = B + chunk * TKernel.NR * Kc;
            float* c = C + chunk * TKernel.MR * TKernel.NR;
            for (int i = 0; i < Calls; i++)
                TKernel.Run(a, b, TKernel.NR, Kc, c, TKernel.NR, false);
        }
    }
}
