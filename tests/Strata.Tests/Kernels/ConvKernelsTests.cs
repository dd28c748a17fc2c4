using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Kernels.Reference;
using Strata.Tests.GradientCheck;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>
/// The implicit-GEMM convolution (forward, input gradient, kernel gradient) against the nested-loop definitions of
/// <see cref="ReferenceConvKernels"/>, with every GEMM micro-kernel (those this machine would not pick run on emulated
/// vectors), for 1×1 to 5×5 and rectangular kernels, strides, dilations, both paddings and odd sizes.
/// </summary>
public class ConvKernelsTests
{
    // (n, h, w, c, filters, kh, kw, sh, sw, dh, dw, same)
    [Theory]
    [InlineData(1, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, false)]      // 1×1, one channel, one filter
    [InlineData(3, 5, 7, 17, 5, 1, 1, 2, 2, 1, 1, false)]     // 1×1 stride 2: input pixels no output reads
    [InlineData(3, 7, 6, 3, 5, 3, 3, 1, 1, 1, 1, true)]
    [InlineData(3, 7, 6, 3, 5, 3, 3, 1, 1, 1, 1, false)]
    [InlineData(1, 9, 7, 8, 16, 1, 3, 1, 1, 1, 1, true)]
    [InlineData(3, 8, 9, 17, 33, 3, 2, 2, 2, 1, 1, true)]
    [InlineData(1, 7, 7, 3, 1, 3, 2, 1, 2, 1, 1, false)]
    [InlineData(3, 9, 11, 3, 16, 3, 3, 2, 1, 1, 1, false)]    // stride (2, 1)
    [InlineData(1, 11, 9, 17, 33, 5, 5, 1, 1, 1, 1, true)]    // K = 425 and 825: several K blocks, taps cut mid-run
    [InlineData(1, 6, 5, 1, 33, 5, 5, 2, 2, 1, 1, true)]
    [InlineData(1, 4, 4, 3, 5, 5, 5, 1, 1, 1, 1, true)]       // kernel wider than the input
    [InlineData(1, 9, 9, 17, 5, 3, 3, 1, 1, 2, 2, true)]      // dilation 2
    [InlineData(3, 10, 7, 8, 33, 3, 3, 1, 1, 1, 2, false)]    // dilation (1, 2)
    [InlineData(3, 13, 11, 8, 16, 3, 3, 1, 1, 2, 1, true)]    // dilation (2, 1)
    [InlineData(3, 7, 9, 17, 16, 5, 5, 1, 1, 2, 2, true)]     // dilated 5×5: padding larger than the input's half
    [InlineData(3, 28, 28, 8, 16, 3, 3, 1, 1, 1, 1, true)]    // 2352 output pixels: two kernel-gradient chunks
    [InlineData(3, 29, 27, 3, 5, 3, 3, 2, 2, 1, 1, true)]     // odd sizes, stride 2, "same"
    public void Forward_and_gradients_match_the_definition(int n, int h, int w, int c, int filters, int kh, int kw,
        int sh, int sw, int dh, int dw, bool same)
    {
        var g = Geometry(n, h, w, c, kh, kw, sh, sw, dh, dw, same);
        int inputLength = n * h * w * c, outputLength = n * g.OutH * g.OutW * filters, kernelLength = kh * kw * c * filters;
        var x = GradientChecker.Random(new Shape(inputLength), seed: 11).Span.ToArray();
        var kernel = GradientChecker.Random(new Shape(kernelLength), seed: 12).Span.ToArray();
        var dy = GradientChecker.Random(new Shape(outputLength), seed: 13).Span.ToArray();
        var dW0 = GradientChecker.Random(new Shape(kernelLength), seed: 14).Span.ToArray();

        var (refY, boundY) = (new float[outputLength], new float[outputLength]);
        var (refDx, boundDx) = (new float[inputLength], new float[inputLength]);
        var (refDw, boundDw) = (new float[kernelLength], new float[kernelLength]);
        ReferenceConvKernels.Forward(x, kernel, g, filters, refY, boundY);
        ReferenceConvKernels.InputGradient(dy, kernel, g, filters, refDx, boundDx);
        ReferenceConvKernels.KernelGradient(x, dy, g, filters, refDw, boundDw);
        int chunks = ConvKernels.GradientChunks(g).Chunks;

        var kernelByFilter = new float[kernelLength];
        ConvKernels.RearrangeKernel(kernel, g, filters, kernelByFilter);
        var partials = new float[ConvKernels.GradientPartialLength(g, filters)];
        foreach (int micro in new[] { 1, 4, 8, 16 }) // the tile of each vector width: 6×2, 6×8 (8×8 on ARM64), 6×16, 8×32
        {
            var y = Enumerable.Repeat(float.NaN, outputLength).ToArray(); // every value must be written
            Run(micro, Op.Forward, x, kernel, g, filters, y, partials);
            Check($"{micro} forward", refY, boundY, null, kh * kw * c, y);

            var dx = Enumerable.Repeat(float.NaN, inputLength).ToArray();
            Run(micro, Op.InputGradient, dy, kernelByFilter, g, filters, dx, partials);
            Check($"{micro} dX", refDx, boundDx, null, kh * kw * filters, dx);

            var dW = (float[])dW0.Clone(); // accumulated into
            Run(micro, Op.KernelGradient, x, dy, g, filters, dW, partials);
            Check($"{micro} dW", refDw, boundDw, dW0, g.Batch * g.OutH * g.OutW + chunks, dW);
        }
    }

    [Fact]
    public void The_rearranged_kernel_transposes_each_tap()
    {
        var g = Geometry(1, 4, 4, 3, 2, 2, 1, 1, 1, 1, false);
        const int filters = 5;
        var kernel = Enumerable.Range(0, 2 * 2 * 3 * filters).Select(i => (float)i).ToArray();
        var byFilter = new float[kernel.Length];
        ConvKernels.RearrangeKernel(kernel, g, filters, byFilter);
        for (int t = 0; t < 4; t++)
            for (int c = 0; c < 3; c++)
                for (int f = 0; f < filters; f++)
                    Assert.Equal(kernel[(t * 3 + c) * filters + f], byFilter[(t * filters + f) * 3 + c]);
    }

    [Fact]
    public void Kernel_gradient_chunks_depend_on_the_shape_only()
    {
        Assert.Equal((1, ConvKernels.GradientChunkPixels), ConvKernels.GradientChunks(Geometry(2, 28, 28, 1, 3, 3, 1, 1, 1, 1, true)));
        // The benchmark shape: 64·28·28 = 50 176 output pixels in chunks of 2048, the last one shorter.
        Assert.Equal((25, 2048), ConvKernels.GradientChunks(Geometry(64, 28, 28, 32, 3, 3, 1, 1, 1, 1, true)));
        // Past 64 chunks of 2048 pixels the chunks grow instead: at most 64 partial buffers.
        Assert.Equal((64, 4096), ConvKernels.GradientChunks(Geometry(256, 32, 32, 3, 3, 3, 1, 1, 1, 1, true)));
        Assert.Equal(0, ConvKernels.GradientPartialLength(Geometry(1, 5, 5, 3, 3, 3, 1, 1, 1, 1, true), 4));
    }

    internal enum Op { Forward, InputGradient, KernelGradient }

    internal static ConvGeometry Geometry(int n, int h, int w, int c, int kh, int kw, int sh, int sw, int dh, int dw, bool same)
    {
        var (oh, ph) = ConvKernels.Axis(h, kh, sh, dh, same);
        var (ow, pw) = ConvKernels.Axis(w, kw, sw, dw, same);
        return new ConvGeometry(n, h, w, c, kh, kw, sh, sw, dh, dw, oh, ow, ph, pw);
    }

    /// <summary>One kernel with the micro-kernel of a forced vector width: (x, W) → y, (dY, W') → dX or (x, dY) → dW.</summary>
    private static void Run(int lanes, Op op, float[] first, float[] second, ConvGeometry g, int filters, float[] output,
        float[] partials)
    {
        using var forced = Widths.Force(lanes);
        switch (op)
        {
            case Op.Forward: ConvKernels.Forward(first, second, g, filters, output); break;
            case Op.InputGradient: ConvKernels.InputGradient(first, second, g, filters, output); break;
            default: ConvKernels.KernelGradient(first, second, g, filters, partials, output); break;
        }
    }

    /// <summary>
    /// Float summation of <paramref name="terms"/> products errs by at most about terms·u·Σ|a||b| (u = 2⁻²⁴), plus |C|
    /// when accumulating into <paramref name="initial"/>; the tolerance is that bound, element by element.
    /// </summary>
    private static void Check(string what, float[] expected, float[] bound, float[]? initial, int terms, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double want = expected[i] + (initial is null ? 0 : (double)initial[i]);
            double scale = bound[i] + (initial is null ? 0 : Math.Abs(initial[i]));
            double tolerance = (terms + 2) * Math.Pow(2, -24) * scale + 1e-30;
            if (!(Math.Abs(actual[i] - want) <= tolerance))
                Assert.Fail($"{what}: [{i}] = {actual[i]}, expected {want} ± {tolerance}");
        }
    }
}

/// <summary>Forward, dX and dW of a shape large enough to run on the pool are bit-identical on 1, 2 and 3 threads.</summary>
[Collection(nameof(WorkerPoolSettings))]
public class ConvKernelsThreadTests
{
    [Theory]
    [InlineData(32, 28, 28, 32, 64, 3, 3, 1, 1, 1, 1, true, true)]  // the benchmark's layer at half its batch
    [InlineData(24, 31, 29, 17, 33, 3, 3, 2, 2, 1, 1, true, true)]
    [InlineData(16, 30, 30, 8, 40, 5, 3, 1, 1, 2, 1, false, true)]
    [InlineData(2, 9, 9, 3, 5, 3, 3, 1, 1, 1, 1, true, false)]
    public void Results_are_bit_identical_on_any_thread_count(int n, int h, int w, int c, int filters, int kh, int kw,
        int sh, int sw, int dh, int dw, bool same, bool parallel)
    {
        var g = ConvKernelsTests.Geometry(n, h, w, c, kh, kw, sh, sw, dh, dw, same);
        int inputLength = n * h * w * c, outputLength = n * g.OutH * g.OutW * filters, kernelLength = kh * kw * c * filters;
        var x = GradientChecker.Random(new Shape(inputLength), seed: 21).Span.ToArray();
        var kernel = GradientChecker.Random(new Shape(kernelLength), seed: 22).Span.ToArray();
        var dy = GradientChecker.Random(new Shape(outputLength), seed: 23).Span.ToArray();
        var kernelByFilter = new float[kernelLength];
        ConvKernels.RearrangeKernel(kernel, g, filters, kernelByFilter);
        var partials = new float[ConvKernels.GradientPartialLength(g, filters)];
        // Above the convolution's threshold all three products (and the kernel gradient's chunks) run on the pool.
        long flops = 2L * n * g.OutH * g.OutW * kh * kw * c * filters;
        if (parallel)
            Assert.True(flops >= ConvKernels.SplitFlops, $"{flops} flops run on one thread (threshold {ConvKernels.SplitFlops})");

        float[]? y1 = null, dx1 = null, dW1 = null;
        int saved = WorkerPool.ThreadCount;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                WorkerPool.ThreadCount = threads;
                var y = new float[outputLength];
                var dx = new float[inputLength];
                var dW = new float[kernelLength];
                ConvKernels.Forward(x, kernel, g, filters, y);
                ConvKernels.InputGradient(dy, kernelByFilter, g, filters, dx);
                ConvKernels.KernelGradient(x, dy, g, filters, partials, dW);
                y1 ??= y;
                dx1 ??= dx;
                dW1 ??= dW;
                Assert.Equal(y1, y);
                Assert.Equal(dx1, dx);
                Assert.Equal(dW1, dW);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }
}
