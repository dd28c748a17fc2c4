namespace Strata.Kernels;

/// <summary>
/// The geometry and data movement of a 2-D convolution on NHWC tensors, with TensorFlow's padding rules, so the
/// arithmetic is one GEMM: <see cref="Im2Col"/> lays every receptive field out as a row
/// cols[(n, oh, ow), (kh, kw, c)], which times the kernel [kh·kw·c, filters] (Keras's [kh, kw, in, out]) is the
/// NHWC output; <see cref="Col2Im"/> scatters the rows' gradient back onto the input.
/// </summary>
internal static class ConvKernels
{
    /// <summary>
    /// Output size and leading padding of one spatial axis. "valid": ⌊(in − d(k − 1) − 1)/s⌋ + 1, no padding.
    /// "same": ⌈in/s⌉, total padding max((out − 1)s + d(k − 1) + 1 − in, 0), the odd one at the end (as TensorFlow).
    /// </summary>
    public static (int Output, int PadBefore) Axis(int input, int kernel, int stride, int dilation, bool same)
    {
        // In 64 bits: a dilated window from a hostile file (d, k up to 2¹⁶) must not wrap around to a small one.
        long span = (long)dilation * (kernel - 1) + 1;
        if (!same) return (input >= span ? (int)((input - span) / stride + 1) : 0, 0);
        int output = (int)(((long)input + stride - 1) / stride);
        long total = Math.Max((long)(output - 1) * stride + span - input, 0);
        if (total / 2 > int.MaxValue)
            throw new ArgumentException($"A window spanning {span} values pads an input of {input} by more than {int.MaxValue}.");
        return (output, (int)(total / 2));
    }

    /// <summary>cols[(n, oh, ow), (kh, kw, c)] = x[n, oh·s − p + kh·d, ow·s − p + kw·d, c], 0 outside the input.</summary>
    public static void Im2Col(ReadOnlySpan<float> x, in ConvGeometry g, Span<float> cols)
    {
        // x: [n, h, w, c]; cols: [n·oh·ow, kh·kw·c]
        WalkFields(x, g, cols, gather: true);
    }

    /// <summary>dX = 0, then dX[n, ih, iw, c] += dCols[(n, oh, ow), (kh, kw, c)] for every field that covers it.</summary>
    public static void Col2Im(ReadOnlySpan<float> dCols, in ConvGeometry g, Span<float> dX)
    {
        // dCols: [n·oh·ow, kh·kw·c]; dX: [n, h, w, c]
        dX.Clear();
        WalkFields(dCols, g, dX, gather: false);
    }

    /// <summary>
    /// Visits every (output pixel, kernel tap) pair once, with the c channels of the input pixel it reads: gathering
    /// copies them into the field's row (zeros for taps in the padding); scattering adds the row back onto the input.
    /// </summary>
    private static void WalkFields(ReadOnlySpan<float> source, in ConvGeometry g, Span<float> target, bool gather)
    {
        int c = g.Channels, rowLength = g.KernelH * g.KernelW * c;
        int row = 0;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oh = 0; oh < g.OutH; oh++)
            {
                for (int ow = 0; ow < g.OutW; ow++, row++)
                {
                    int k = row * rowLength;
                    for (int kh = 0; kh < g.KernelH; kh++)
                    {
                        int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                        for (int kw = 0; kw < g.KernelW; kw++, k += c)
                        {
                            int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                            bool inside = (uint)ih < (uint)g.InH && (uint)iw < (uint)g.InW;
                            int pixel = ((n * g.InH + ih) * g.InW + iw) * c;
                            if (gather)
                            {
                                if (inside) source.Slice(pixel, c).CopyTo(target.Slice(k, c));
                                else target.Slice(k, c).Clear();
                            }
                            else if (inside)
                            {
                                var into = target.Slice(pixel, c);
                                System.Numerics.Tensors.TensorPrimitives.Add(into, source.Slice(k, c), into);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// <summary>Shapes, strides, dilations and leading padding of one convolution or pooling call.</summary>
internal readonly record struct ConvGeometry(
    int Batch, int InH, int InW, int Channels, int KernelH, int KernelW, int StrideH, int StrideW,
    int DilationH, int DilationW, int OutH, int OutW, int PadH, int PadW);
