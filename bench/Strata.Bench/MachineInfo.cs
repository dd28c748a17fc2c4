using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;
using Strata.Kernels.Simd;

namespace Strata.Bench;

/// <summary>
/// What every bench prints first, so a figure always names its machine: the CPU, the vector width the kernels run
/// at (after any DOTNET_* limits), the FMA peak measured in the same run (independent multiply-adds on registers,
/// the ceiling the "% of peak" columns compare with) and the rate of the GEMM micro-kernel of that width on
/// L1-resident panels. The peak touches no memory, so it stays put when a neighbour on a shared host core takes
/// cache; the micro-kernel rate shows how much of the peak the kernel keeps at that moment.
/// </summary>
internal static class MachineInfo
{
    private static readonly Dictionary<int, double> s_peaks = [];
    private static readonly Dictionary<int, double> s_kernelRates = [];

    /// <summary>The CPU's model name (Linux), or the architecture elsewhere.</summary>
    public static string Cpu
    {
        get
        {
            if (!File.Exists("/proc/cpuinfo"))
                return RuntimeInformation.ProcessArchitecture.ToString();
            string? name = null, family = null, model = null;
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                    continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "model name")
                    name ??= value;
                else if (key == "cpu family")
                    family ??= value;
                else if (key == "model")
                    model ??= value;
            }
            // "AMD EPYC" alone does not say which generation: family and model do (25/1 Zen 3, 25/17 Zen 4, 23/1 Zen 1).
            string id = family is null || model is null ? "" : $" (family {family} model {model})";
            return (name ?? RuntimeInformation.ProcessArchitecture.ToString()) + id;
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
        Console.WriteLine($"FMA peak (registers): {FmaPeak(1):F1} GFLOPS on 1 thread, {FmaPeak(threads):F1} on {threads}; "
            + $"micro-kernel on L1-resident panels: {KernelRate(1):F1} and {KernelRate(threads):F1}");
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

    /// <summary>
    /// The multiply-add peak of this run's width on <paramref name="threads"/> threads, in GFLOPS, measured once per count:
    /// the best of several repeats, since a peak is a ceiling and a repeat can only lose time to other work.
    /// </summary>
    public static double FmaPeak(int threads)
    {
        if (!s_peaks.TryGetValue(threads, out double peak))
        {
            peak = VectorWidths.Accelerated switch
            {
                VectorWidth.Vector512 => RegisterPeak<Vec512>(threads),
                VectorWidth.Vector256 => RegisterPeak<Vec256>(threads),
                VectorWidth.Vector128 => RegisterPeak<Vec128>(threads),
                _ => double.NaN,
            };
            s_peaks[threads] = peak;
        }
        return peak;
    }

    /// <summary>GFLOPS of the micro-kernel of this run's width on L1-resident panels, the median of its repeats.</summary>
    public static double KernelRate(int threads)
    {
        if (!s_kernelRates.TryGetValue(threads, out double rate))
        {
            rate = VectorWidths.Accelerated switch
            {
                VectorWidth.Vector512 => Peak<Kernel<Vec512, Rows8>>(threads),
                VectorWidth.Vector256 => Peak<Kernel<Vec256, Rows6>>(threads),
                VectorWidth.Vector128 when System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported => Peak<Kernel<Vec128, Rows8>>(threads),
                VectorWidth.Vector128 => Peak<Kernel<Vec128, Rows6>>(threads),
                _ => double.NaN,
            };
            s_kernelRates[threads] = rate;
        }
        return rate;
    }

    private static double RegisterPeak<TV>(int threads) where TV : unmanaged, IVector<TV>
    {
        const long Iterations = 20_000_000;
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = threads;
        try
        {
            var body = new RegisterBody<TV> { Iterations = Iterations / 10 };
            WorkerPool.Run(threads, ref body);
            body.Iterations = Iterations;
            double best = 0;
            for (int repeat = 0; repeat < 12; repeat++)
            {
                long start = Stopwatch.GetTimestamp();
                WorkerPool.Run(threads, ref body);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                best = Math.Max(best, RegisterBody<TV>.Flops * Iterations * threads / seconds / 1e9);
            }
            return best;
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    /// <summary>12 independent chains of multiply-adds, enough to cover the latency of two FMA pipes (4 cycles each).</summary>
    private struct RegisterBody<TV> : WorkerPool.IChunkBody where TV : unmanaged, IVector<TV>
    {
        public const int Chains = 12;
        public static double Flops => 2.0 * Chains * TV.Count;

        public long Iterations;

        public readonly void Execute(int chunk) => Chain(Iterations);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe void Chain(long iterations)
        {
            TV x = TV.Create(1.0000001f), y = TV.Create(0.9999999f);
            TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero, s4 = TV.Zero, s5 = TV.Zero;
            TV s6 = TV.Zero, s7 = TV.Zero, s8 = TV.Zero, s9 = TV.Zero, s10 = TV.Zero, s11 = TV.Zero;
            for (long i = 0; i < iterations; i++)
            {
                s0 = TV.MultiplyAdd(x, y, s0);
                s1 = TV.MultiplyAdd(x, y, s1);
                s2 = TV.MultiplyAdd(x, y, s2);
                s3 = TV.MultiplyAdd(x, y, s3);
                s4 = TV.MultiplyAdd(x, y, s4);
                s5 = TV.MultiplyAdd(x, y, s5);
                s6 = TV.MultiplyAdd(x, y, s6);
                s7 = TV.MultiplyAdd(x, y, s7);
                s8 = TV.MultiplyAdd(x, y, s8);
                s9 = TV.MultiplyAdd(x, y, s9);
                s10 = TV.MultiplyAdd(x, y, s10);
                s11 = TV.MultiplyAdd(x, y, s11);
            }
            // The sums leave the function, so the chains cannot be dropped.
            float* sink = stackalloc float[TV.Count];
            TV.Store(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11, sink);
            s_sink = sink[0];
        }

        private static float s_sink;
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
