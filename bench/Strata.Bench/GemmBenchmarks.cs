using BenchmarkDotNet.Attributes;
using Strata.Kernels.MatMul;
using Strata.Kernels.Reference;

namespace Strata.Bench;

/// <summary>The SIMD GEMM against its scalar reference twin (NN, beta 0) on square matrices.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [Params(64, 256, 512)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _a = Enumerable.Range(0, Size * Size).Select(_ => random.NextSingle()).ToArray();
        _b = Enumerable.Range(0, Size * Size).Select(_ => random.NextSingle()).ToArray();
        _c = new float[Size * Size];
    }

    [Benchmark]
    public void Simd() => Gemm.NN(_a, _b, Size, Size, Size, 0f, _c);

    [Benchmark(Baseline = true)]
    public void Reference() => ReferenceGemm.Multiply(_a, false, _b, false, Size, Size, Size, 0f, _c);
}
