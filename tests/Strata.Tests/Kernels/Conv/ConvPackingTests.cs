using Strata.Kernels;
using Strata.Kernels.Conv;
using Strata.Kernels.MatMul;

namespace Strata.Tests.Kernels.Conv;

/// <summary>
/// <see cref="PatchRows"/> packs exactly the strips of the patch matrix written out from its definition: the strips
/// it transposes straight from the source (adjacent pixels of one grid row, every tap inside along w) and those it
/// gathers through its block alike, for blocks that start and end mid-tap and mid-strip, at every strip width.
/// Packing only moves values, so the strips must be equal bit for bit.
/// </summary>
public class ConvPackingTests
{
    // (n, h, w, c, kh, kw, sh, sw, dh, dw, same)
    [Theory]
    [InlineData(2, 28, 28, 32, 3, 3, 1, 1, 1, 1, true)]   // the benchmark's layer
    [InlineData(1, 9, 14, 8, 3, 3, 1, 1, 1, 1, false)]    // "valid": every strip inside a grid row is inside along w
    [InlineData(1, 11, 13, 17, 5, 3, 2, 2, 1, 1, true)]   // stride 2: lanes 2·C apart
    [InlineData(1, 12, 15, 9, 3, 3, 1, 1, 2, 2, true)]    // dilation 2: one run per tap
    [InlineData(2, 7, 19, 3, 3, 3, 1, 1, 1, 1, true)]     // 3 channels: always through the block
    [InlineData(1, 6, 20, 16, 1, 1, 1, 1, 1, 1, false)]   // 1×1
    public unsafe void Patch_rows_pack_the_patch_matrix(int n, int h, int w, int c, int kh, int kw, int sh, int sw, int dh,
        int dw, bool same)
    {
        var (oh, ph) = ConvKernels.Axis(h, kh, sh, dh, same);
        var (ow, pw) = ConvKernels.Axis(w, kw, sw, dw, same);
        var g = new ConvGeometry(n, h, w, c, kh, kw, sh, sw, dh, dw, oh, ow, ph, pw);
        int filters = 11;
        var x = Values(n * h * w * c, 1);
        var dy = Values(n * oh * ow * filters, 2);

        var forward = ForwardPatches(x, g);
        var inputGradient = InputGradientPatches(dy, g, filters);
        foreach (int width in new[] { 6, 8, 16 })
        {
            CheckBlocks(forward, n * oh * ow, kh * kw * c, width, x, p => PatchRows.Forward(p, g), $"forward, width {width}");
            CheckBlocks(inputGradient, n * h * w, kh * kw * filters, width, dy, p => PatchRows.InputGradient(p, g, filters),
                $"input gradient, width {width}");
        }
    }

    private unsafe delegate PatchRows Packer(float* source);

    /// <summary>Packs row and K blocks of several shapes both ways and compares them.</summary>
    // patches: [rows, k]; source: the tensor the packer gathers from
    private static unsafe void CheckBlocks(float[] patches, int rows, int k, int width, float[] source, Packer packer, string what)
    {
        int[] rowStarts = [0, 1, width + 3, rows / 2 + 5];
        int[] kStarts = [0, 5, k / 3];
        foreach (int i0 in rowStarts)
        {
            foreach (int p0 in kStarts)
            {
                if (i0 >= rows || p0 >= k)
                    continue;
                int count = Math.Min(rows - i0, 5 * width + 1), kc = Math.Min(k - p0, 100);
                int length = (count + width - 1) / width * kc * width;
                var actual = Enumerable.Repeat(float.NaN, length).ToArray();
                var expected = new float[length];
                fixed (float* s = source, a = actual, e = expected, m = patches)
                {
                    packer(s).Pack(i0, count, p0, kc, width, a);
                    GemmPacking.PackLanesAlongKScalar(m + (long)i0 * k + p0, k, count, kc, width, e);
                }
                for (int i = 0; i < length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                        Assert.Fail($"{what}, rows {i0}+{count}, K {p0}+{kc}: [{i}] = {actual[i]}, expected {expected[i]}");
                }
            }
        }
    }

    /// <summary>A[(n, oh, ow), (kh, kw, c)] = x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c], 0 in the padding.</summary>
    private static float[] ForwardPatches(float[] x, ConvGeometry g)
    {
        int k = g.KernelH * g.KernelW * g.Channels;
        var a = new float[g.Batch * g.OutH * g.OutW * k];
        for (int n = 0; n < g.Batch; n++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        for (int i = 0; i < g.KernelH; i++)
        for (int j = 0; j < g.KernelW; j++)
        {
            int ih = oh * g.StrideH - g.PadH + i * g.DilationH, iw = ow * g.StrideW - g.PadW + j * g.DilationW;
            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                continue;
            for (int c = 0; c < g.Channels; c++)
                a[((n * g.OutH + oh) * g.OutW + ow) * k + (i * g.KernelW + j) * g.Channels + c] =
                    x[((n * g.InH + ih) * g.InW + iw) * g.Channels + c];
        }
        return a;
    }

    /// <summary>A[(n, ih, iw), (kh, kw, f)] = dY[n, (ih + ph − kh·dh)/sh, (iw + pw − kw·dw)/sw, f] where both divide exactly inside.</summary>
    private static float[] InputGradientPatches(float[] dy, ConvGeometry g, int filters)
    {
        int k = g.KernelH * g.KernelW * filters;
        var a = new float[g.Batch * g.InH * g.InW * k];
        for (int n = 0; n < g.Batch; n++)
        for (int ih = 0; ih < g.InH; ih++)
        for (int iw = 0; iw < g.InW; iw++)
        for (int i = 0; i < g.KernelH; i++)
        for (int j = 0; j < g.KernelW; j++)
        {
            int th = ih + g.PadH - i * g.DilationH, tw = iw + g.PadW - j * g.DilationW;
            if (th < 0 || tw < 0 || th % g.StrideH != 0 || tw % g.StrideW != 0)
                continue;
            int oh = th / g.StrideH, ow = tw / g.StrideW;
            if (oh >= g.OutH || ow >= g.OutW)
                continue;
            for (int f = 0; f < filters; f++)
                a[((n * g.InH + ih) * g.InW + iw) * k + (i * g.KernelW + j) * filters + f] =
                    dy[((n * g.OutH + oh) * g.OutW + ow) * filters + f];
        }
        return a;
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
