namespace Strata.Kernels.Reference;

/// <summary>
/// The scalar twin of the convolution kernels of <see cref="ConvKernels"/>: the definitions as nested loops over pixels
/// and taps with double accumulators, for tests. Each also returns, through <c>bound</c>, the same sum taken over
/// absolute values, Σ|a||b|, which scales the rounding error a float implementation may make.
/// </summary>
internal static class ReferenceConvKernels
{
    /// <summary>y[n, oh, ow, f] = Σ_(kh, kw, c) x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c] · W[kh, kw, c, f].</summary>
    // x: [n, h, w, c]; kernel: [kh, kw, c, filters]; y, bound: [n, oh, ow, filters]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, in ConvGeometry g, int filters,
        Span<float> y, Span<float> bound)
    {
        for (int n = 0; n < g.Batch; n++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        for (int f = 0; f < filters; f++)
        {
            double sum = 0, abs = 0;
            for (int kh = 0; kh < g.KernelH; kh++)
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                int ih = oh * g.StrideH - g.PadH + kh * g.DilationH, iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                    continue;
                for (int c = 0; c < g.Channels; c++)
                {
                    double product = (double)x[((n * g.InH + ih) * g.InW + iw) * g.Channels + c]
                        * kernel[((kh * g.KernelW + kw) * g.Channels + c) * filters + f];
                    sum += product;
                    abs += Math.Abs(product);
                }
            }
            int at = ((n * g.OutH + oh) * g.OutW + ow) * filters + f;
            y[at] = (float)sum;
            bound[at] = (float)abs;
        }
    }

    /// <summary>dX[n, ih, iw, c] = Σ over (oh, ow, kh, kw) with ih = oh·sh − ph + kh·dh, iw = ow·sw − pw + kw·dw of Σ_f dY·W.</summary>
    // dy: [n, oh, ow, filters]; kernel: [kh, kw, c, filters]; dx, bound: [n, h, w, c]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, in ConvGeometry g, int filters,
        Span<float> dx, Span<float> bound)
    {
        var sum = new double[dx.Length];
        var abs = new double[dx.Length];
        for (int n = 0; n < g.Batch; n++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        for (int kh = 0; kh < g.KernelH; kh++)
        for (int kw = 0; kw < g.KernelW; kw++)
        {
            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH, iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                continue;
            for (int c = 0; c < g.Channels; c++)
            for (int f = 0; f < filters; f++)
            {
                double product = (double)dy[((n * g.OutH + oh) * g.OutW + ow) * filters + f]
                    * kernel[((kh * g.KernelW + kw) * g.Channels + c) * filters + f];
                int at = ((n * g.InH + ih) * g.InW + iw) * g.Channels + c;
                sum[at] += product;
                abs[at] += Math.Abs(product);
            }
        }
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = (float)sum[i];
            bound[i] = (float)abs[i];
        }
    }

    /// <summary>dW[kh, kw, c, f] = Σ_(n, oh, ow) x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c] · dY[n, oh, ow, f] (overwrites).</summary>
    // x: [n, h, w, c]; dy: [n, oh, ow, filters]; dW, bound: [kh, kw, c, filters]
    public static void KernelGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in ConvGeometry g, int filters,
        Span<float> dW, Span<float> bound)
    {
        for (int kh = 0; kh < g.KernelH; kh++)
        for (int kw = 0; kw < g.KernelW; kw++)
        for (int c = 0; c < g.Channels; c++)
        for (int f = 0; f < filters; f++)
        {
            double sum = 0, abs = 0;
            for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                int ih = oh * g.StrideH - g.PadH + kh * g.DilationH, iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                    continue;
                double product = (double)x[((n * g.InH + ih) * g.InW + iw) * g.Channels + c]
                    * dy[((n * g.OutH + oh) * g.OutW + ow) * filters + f];
                sum += product;
                abs += Math.Abs(product);
            }
            int at = ((kh * g.KernelW + kw) * g.Channels + c) * filters + f;
            dW[at] = (float)sum;
            bound[at] = (float)abs;
        }
    }
}
