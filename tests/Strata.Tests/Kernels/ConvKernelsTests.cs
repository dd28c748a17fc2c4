using Strata.Kernels;
using Strata.Kernels.Parallel;
using Strata.Tests.GradientCheck;

namespace Strata.Tests.Kernels;

/// <summary>
/// Im2Col and Col2Im (span moves, chunks on the worker pool) against a scalar tap-by-tap walk: bit-identical, on
/// one thread and on several, with strides, dilations and padding on either side.
/// </summary>
[Collection(nameof(WorkerPoolSettings))]
public class ConvKernelsTests
{
    [Theory]
    [InlineData(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, true)]
    [InlineData(3, 7, 6, 2, 3, 2, 2, 1, 1, 1, true)]
    [InlineData(2, 9, 9, 4, 3, 3, 1, 1, 2, 3, true)]
    [InlineData(2, 8, 7, 5, 2, 4, 1, 3, 1, 1, false)]
    [InlineData(1, 4, 4, 1, 5, 5, 1, 1, 1, 1, true)] // kernel wider than the input: rows with no tap inside
    [InlineData(3, 6, 6, 8, 1, 1, 1, 1, 1, 1, false)]
    [InlineData(16, 28, 28, 32, 3, 3, 1, 1, 1, 1, true)] // above ParallelValues: chunks on the pool
    [InlineData(5, 21, 19, 16, 3, 5, 2, 1, 1, 1, true)]
    [InlineData(7, 30, 30, 12, 3, 3, 1, 1, 2, 2, true)]
    public void Im2Col_and_Col2Im_match_the_scalar_walk(int n, int h, int w, int c, int kh, int kw, int sh, int sw,
        int dh, int dw, bool same)
    {
        var (oh, ph) = ConvKernels.Axis(h, kh, sh, dh, same);
        var (ow, pw) = ConvKernels.Axis(w, kw, sw, dw, same);
        var g = new ConvGeometry(n, h, w, c, kh, kw, sh, sw, dh, dw, oh, ow, ph, pw);
        int colsLength = n * oh * ow * kh * kw * c;
        var x = GradientChecker.Random(new Shape(n * h * w * c), seed: 7).Span.ToArray();
        var dCols = GradientChecker.Random(new Shape(colsLength), seed: 8).Span.ToArray();

        var refCols = new float[colsLength];
        var refDx = new float[x.Length];
        ReferenceWalk(x, g, refCols, gather: true);
        ReferenceWalk(dCols, g, refDx, gather: false);

        int saved = WorkerPool.ThreadCount;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                WorkerPool.ThreadCount = threads;
                var cols = Enumerable.Repeat(float.NaN, colsLength).ToArray(); // every value must be written
                ConvKernels.Im2Col(x, g, cols);
                Assert.Equal(refCols, cols);
                var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray(); // Col2Im clears it first
                ConvKernels.Col2Im(dCols, g, dx);
                Assert.Equal(refDx, dx);
            }
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    /// <summary>The definition, one tap and one channel at a time, in the order a single-threaded walk adds.</summary>
    private static void ReferenceWalk(float[] source, ConvGeometry g, float[] target, bool gather)
    {
        int c = g.Channels, rowLength = g.KernelH * g.KernelW * c, row = 0;
        for (int n = 0; n < g.Batch; n++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++, row++)
        for (int kh = 0; kh < g.KernelH; kh++)
        for (int kw = 0; kw < g.KernelW; kw++)
        {
            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH, iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
            bool inside = ih >= 0 && ih < g.InH && iw >= 0 && iw < g.InW;
            for (int ch = 0; ch < c; ch++)
            {
                int col = row * rowLength + (kh * g.KernelW + kw) * c + ch;
                int pixel = ((n * g.InH + ih) * g.InW + iw) * c + ch;
                if (gather) target[col] = inside ? source[pixel] : 0f;
                else if (inside) target[pixel] += source[col];
            }
        }
    }
}
