namespace Strata.Kernels;

/// <summary>
/// 2-D pooling on NHWC tensors. Max pooling records the flat input index of each window's maximum so the
/// backward pass routes the gradient there (ties: the first maximum, as in TensorFlow); average pooling divides
/// by the number of window cells inside the input (padding does not count, as in Keras).
/// </summary>
internal static class PoolingKernels
{
    /// <summary>y[n, oh, ow, c] = max over the window; argmax receives the flat input index (−1 for an empty window).</summary>
    public static void MaxForward(ReadOnlySpan<float> x, in ConvGeometry g, Span<float> y, Span<int> argmax)
    {
        // x: [n, h, w, c]; y, argmax: [n, oh, ow, c]
        int c = g.Channels, o = 0;
        for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int ch = 0; ch < c; ch++, o++)
                    {
                        float best = float.NegativeInfinity;
                        int at = -1;
                        for (int kh = 0; kh < g.KernelH; kh++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh;
                            if ((uint)ih >= (uint)g.InH) continue;
                            for (int kw = 0; kw < g.KernelW; kw++)
                            {
                                int iw = ow * g.StrideW - g.PadW + kw;
                                if ((uint)iw >= (uint)g.InW) continue;
                                int i = ((n * g.InH + ih) * g.InW + iw) * c + ch;
                                if (at < 0 || x[i] > best || float.IsNaN(x[i]))
                                {
                                    best = x[i];
                                    at = i;
                                }
                            }
                        }
                        y[o] = at < 0 ? 0f : best;
                        argmax[o] = at;
                    }
    }

    /// <summary>dX = 0, then dX[argmax[o]] += dY[o].</summary>
    public static void MaxBackward(ReadOnlySpan<float> dY, ReadOnlySpan<int> argmax, Span<float> dX)
    {
        dX.Clear();
        for (int o = 0; o < dY.Length; o++)
            if (argmax[o] >= 0) dX[argmax[o]] += dY[o];
    }

    /// <summary>y = mean of the window's cells inside the input; with backward = true, dX += dY/count over the window instead.</summary>
    public static void Average(ReadOnlySpan<float> source, in ConvGeometry g, Span<float> target, bool backward)
    {
        // forward: source x [n, h, w, c], target y [n, oh, ow, c]; backward: source dY, target dX (cleared first)
        if (backward) target.Clear();
        int c = g.Channels, o = 0;
        for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++, o += c)
                {
                    int h0 = Math.Max(0, oh * g.StrideH - g.PadH), h1 = Math.Min(g.InH, oh * g.StrideH - g.PadH + g.KernelH);
                    int w0 = Math.Max(0, ow * g.StrideW - g.PadW), w1 = Math.Min(g.InW, ow * g.StrideW - g.PadW + g.KernelW);
                    int count = Math.Max(0, h1 - h0) * Math.Max(0, w1 - w0);
                    float inv = count == 0 ? 0f : 1f / count;
                    if (!backward) target.Slice(o, c).Clear();
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            int i = ((n * g.InH + ih) * g.InW + iw) * c;
                            for (int ch = 0; ch < c; ch++)
                            {
                                if (backward) target[i + ch] += source[o + ch] * inv;
                                else target[o + ch] += source[i + ch] * inv;
                            }
                        }
                }
    }
}
