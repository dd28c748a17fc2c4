namespace Strata.Kernels.Reference;

/// <summary>
/// Scalar twins of <see cref="PoolingKernels"/>: one output value at a time, walking the window in its order
/// (kh-major, then kw), skipping cells outside the input. They compute the same float formulas in the same order as
/// the vector kernels, so the tests compare bit for bit.
/// </summary>
internal static class ReferencePoolingKernels
{
    /// <summary>
    /// y = max over the window's inside cells, argmax = the flat input index of the first maximum; a NaN cell is the
    /// maximum (the first NaN is kept); an empty window gives y = 0, argmax −1.
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> x, in ConvGeometry g, Span<float> y, Span<int> argmax)
    {
        // x: [n, h, w, c]; y, argmax: [n, oh, ow, c]
        int c = g.Channels, o = 0;
        for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int ch = 0; ch < c; ch++, o++)
                    {
                        float best = 0f;
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
                                bool nanFirst = float.IsNaN(x[i]) && !float.IsNaN(best);
                                if (at < 0 || x[i] > best || nanFirst)
                                {
                                    best = x[i];
                                    at = i;
                                }
                            }
                        }
                        y[o] = best;
                        argmax[o] = at;
                    }
    }

    /// <summary>dX = 0, then dX[argmax[o]] += dY[o] for every argmax[o] ≥ 0.</summary>
    public static void MaxBackward(ReadOnlySpan<float> dY, ReadOnlySpan<int> argmax, Span<float> dX)
    {
        dX.Clear();
        for (int o = 0; o < dY.Length; o++)
            if (argmax[o] >= 0) dX[argmax[o]] += dY[o];
    }

    /// <summary>
    /// Forward: y = (Σ window's inside cells)·(1/count), summed in window order. Backward: dX = 0, then
    /// dX[cell] += dY·(1/count) for every output, in output order. count = inside cells (0 gives y = 0).
    /// </summary>
    public static void Average(ReadOnlySpan<float> source, in ConvGeometry g, Span<float> target, bool backward)
    {
        // forward: source x [n, h, w, c], target y [n, oh, ow, c]; backward: source dY, target dX
        if (backward) target.Clear();
        int c = g.Channels, o = 0;
        for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int ch = 0; ch < c; ch++, o++)
                    {
                        int count = 0;
                        for (int kh = 0; kh < g.KernelH; kh++)
                            for (int kw = 0; kw < g.KernelW; kw++)
                                if (Inside(g, oh, ow, kh, kw)) count++;
                        float inv = count == 0 ? 0f : 1f / count;
                        float sum = 0f;
                        for (int kh = 0; kh < g.KernelH; kh++)
                            for (int kw = 0; kw < g.KernelW; kw++)
                            {
                                if (!Inside(g, oh, ow, kh, kw)) continue;
                                int i = ((n * g.InH + oh * g.StrideH - g.PadH + kh) * g.InW + ow * g.StrideW - g.PadW + kw) * c + ch;
                                if (backward) target[i] += source[o] * inv;
                                else sum += source[i];
                            }
                        if (!backward) target[o] = sum * inv;
                    }
    }

    /// <summary>y[n, c] = (Σ over the h·w pixels of x[n, p, c])·(1/(h·w)), summed in pixel order.</summary>
    public static void GlobalAverage(ReadOnlySpan<float> x, int batch, int height, int width, int channels, Span<float> y)
    {
        // x: [n, h, w, c]; y: [n, c]
        int pixels = height * width;
        for (int n = 0; n < batch; n++)
            for (int ch = 0; ch < channels; ch++)
            {
                float sum = 0f;
                for (int p = 0; p < pixels; p++) sum += x[(n * pixels + p) * channels + ch];
                y[n * channels + ch] = sum * (1f / pixels);
            }
    }

    /// <summary>dX[n, p, c] = dY[n, c]·(1/(h·w)) for every pixel p.</summary>
    public static void GlobalAverageBackward(ReadOnlySpan<float> dY, int batch, int height, int width, int channels, Span<float> dX)
    {
        // dY: [n, c]; dX: [n, h, w, c]
        int pixels = height * width;
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < pixels; p++)
                for (int ch = 0; ch < channels; ch++)
                    dX[(n * pixels + p) * channels + ch] = dY[n * channels + ch] * (1f / pixels);
    }

    private static bool Inside(in ConvGeometry g, int oh, int ow, int kh, int kw) =>
        (uint)(oh * g.StrideH - g.PadH + kh) < (uint)g.InH && (uint)(ow * g.StrideW - g.PadW + kw) < (uint)g.InW;
}
