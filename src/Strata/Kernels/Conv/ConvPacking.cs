using System.Runtime.CompilerServices;
using Strata.Kernels.MatMul;

namespace Strata.Kernels.Conv;

/// <summary>
/// The A operand of the forward pass or of the input gradient, one row per pixel, gathered straight into the GEMM's Ã
/// strips (implicit GEMM: no im2col matrix is ever stored).
/// <list type="bullet">
/// <item>Forward, rows = output pixels (n, oh, ow), K = (kh, kw, c):
/// <c>A[(n, oh, ow), (kh, kw, c)] = x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c]</c>, 0 where that lies in the padding.</item>
/// <item>Input gradient, rows = input pixels (n, ih, iw), K = (kh, kw, f):
/// <c>A[(n, ih, iw), (kh, kw, f)] = dY[n, oh, ow, f]</c> with <c>oh = (ih + ph − kh·dh)/sh</c> and
/// <c>ow = (iw + pw − kw·dw)/sw</c>, 0 unless both divisions are exact and land inside the output. This inverts the
/// forward index map: the output pixels whose tap (kh, kw) reads input pixel (ih, iw) are exactly these, so
/// <c>dX = A · W'</c> with <c>W'[(kh, kw, f), c] = W[(kh, kw, c), f]</c>, written once per pixel, with no scatter.</item>
/// </list>
/// Within one tap the channels of a source pixel are contiguous. Where a strip's rows are adjacent pixels of one grid row
/// clear of the padding along w (most strips of a layer wider than the strip), each tap's run sits a fixed stride apart
/// from lane to lane and <see cref="GemmPacking.PackLanesAlongK"/> transposes it into the strip straight from the
/// source. Elsewhere a row is copied run by run into a [width, kc] block on the stack, which is then transposed the same
/// way: the source is read contiguously and the strip written contiguously.
/// </summary>
internal readonly unsafe struct PatchRows : IPackA
{
    // x: [n, h, w, c] (forward) or dY: [n, oh, ow, f] (input gradient)
    private readonly float* _source;
    private readonly ConvGeometry _g;
    private readonly int _channels;
    private readonly bool _inputGradient;

    // source: [n, h, w, c] or [n, oh, ow, f]
    private PatchRows(float* source, in ConvGeometry g, int channels, bool inputGradient)
    {
        _source = source;
        _g = g;
        _channels = channels;
        _inputGradient = inputGradient;
    }

    /// <summary>The patches of the forward pass, gathered from x.</summary>
    // x: [n, h, w, c]
    public static PatchRows Forward(float* x, in ConvGeometry g) => new(x, g, g.Channels, false);

    /// <summary>The rows of the input-gradient product, gathered from dY.</summary>
    // dy: [n, oh, ow, filters]
    public static PatchRows InputGradient(float* dy, in ConvGeometry g, int filters) => new(dy, g, filters, true);

    /// <inheritdoc/>
    // dst: [ceil(rows / width), kc, width]
    public void Pack(int i0, int rows, int p0, int kc, int width, float* dst)
    {
        // block: [width, kc], one row per lane of the strip being packed; width·kc floats (at most 8·263, about 8 KB).
        float* block = stackalloc float[width * kc];
        for (int first = 0; first < rows; first += width)
        {
            int valid = Math.Min(width, rows - first);
            if (valid == width && PackStripInPlace(i0 + first, width, p0, kc, dst + (nint)first * kc))
                continue;
            for (int lane = 0; lane < valid; lane++)
                FillRow(i0 + first + lane, p0, kc, block + (nint)lane * kc);
            GemmPacking.PackLanesAlongK(block, kc, valid, kc, width, dst + (nint)first * kc);
        }
    }

    /// <summary>
    /// Packs the strip of rows <paramref name="row0"/> … <paramref name="row0"/> + <paramref name="lanes"/> − 1 straight
    /// from the source, without the block, where those rows are adjacent pixels of one grid row and every tap of every
    /// lane lies inside the source along w. Then at each tap the lanes read the same run of channels a fixed stride apart
    /// (C·sw floats forward, F for an input gradient of stride 1), so the run is transposed into the strip from where it
    /// lies; a tap whose source row lies outside is zero in every lane. Forward and undilated along w, the rest of a
    /// kernel row is one run per lane. Returns false, having written nothing, where this does not hold: the strip
    /// straddles two grid rows or touches the padding along w, or runs are shorter than 8 channels (the first layer).
    /// </summary>
    // strip: [kc, lanes]
    private bool PackStripInPlace(int row0, int lanes, int p0, int kc, float* strip)
    {
        ref readonly ConvGeometry g = ref _g;
        int channels = _channels;
        if (channels < 8 || (_inputGradient && (g.StrideH != 1 || g.StrideW != 1)))
            return false;
        int gridH = _inputGradient ? g.InH : g.OutH, gridW = _inputGradient ? g.InW : g.OutW;
        int image = gridH * gridW;
        int n = row0 / image, rest = row0 - n * image, a = rest / gridW, b = rest - a * gridW;
        if (b + lanes > gridW)
            return false;
        nint ld;
        if (_inputGradient)
        {
            // ow = b + lane + pw − kw·dw: smallest for lane 0 at the last tap, largest for the last lane at tap 0
            if (b + g.PadW - (g.KernelW - 1) * g.DilationW < 0 || b + lanes - 1 + g.PadW >= g.OutW)
                return false;
            ld = channels;
        }
        else
        {
            // iw = (b + lane)·sw − pw + kw·dw
            if (b * g.StrideW - g.PadW < 0 || (b + lanes - 1) * g.StrideW - g.PadW + (g.KernelW - 1) * g.DilationW >= g.InW)
                return false;
            ld = (nint)channels * g.StrideW;
        }

        bool wholeKernelRows = !_inputGradient && g.DilationW == 1;
        int tap = p0 / channels, c = p0 - tap * channels;
        int kh = tap / g.KernelW, kw = tap - kh * g.KernelW;
        for (int done = 0; done < kc; c = 0)
        {
            int run = (wholeKernelRows ? (g.KernelW - kw) * channels : channels) - c;
            int length = Math.Min(run, kc - done);
            long pixel;
            if (_inputGradient)
            {
                int oh = a + g.PadH - kh * g.DilationH;
                pixel = (uint)oh < (uint)g.OutH ? ((long)n * g.OutH + oh) * g.OutW + b + g.PadW - kw * g.DilationW : -1;
            }
            else
            {
                int ih = a * g.StrideH - g.PadH + kh * g.DilationH;
                pixel = (uint)ih < (uint)g.InH ? ((long)n * g.InH + ih) * g.InW + b * g.StrideW - g.PadW + kw * g.DilationW : -1;
            }
            float* to = strip + (nint)done * lanes;
            if (pixel >= 0)
                GemmPacking.PackLanesAlongK(_source + pixel * channels + c, ld, lanes, length, lanes, to);
            else
                new Span<float>(to, length * lanes).Clear();
            done += length;
            if (wholeKernelRows || ++kw == g.KernelW)
            {
                kw = 0;
                kh++;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>to[j] = A[row, p0 + j]</c> for j &lt; kc: one contiguous run (or zero fill) per tap, or per kernel row where its
    /// taps read adjacent pixels inside the image.
    /// </summary>
    // to: [kc]
    private void FillRow(int row, int p0, int kc, float* to)
    {
        // The row is a pixel (n, a, b) of the output grid (forward) or of the input grid (input gradient).
        int gridH = _inputGradient ? _g.InH : _g.OutH, gridW = _inputGradient ? _g.InW : _g.OutW;
        int image = gridH * gridW;
        int n = row / image, rest = row - n * image, a = rest / gridW, b = rest - a * gridW;
        int channels = _channels;
        int tap = p0 / channels, c = p0 - tap * channels;
        int kh = tap / _g.KernelW, kw = tap - kh * _g.KernelW;
        for (int done = 0; done < kc; c = 0)
        {
            if (RowOfTapsInside(n, a, b, kh, kw, out long first))
            {
                // Forward, undilated along w, and the rest of kernel row kh inside the image: its taps read adjacent
                // pixels, one contiguous run of (KW − kw)·channels − c values.
                int run = Math.Min((_g.KernelW - kw) * channels - c, kc - done);
                GemmPacking.CopyRun(_source + first * channels + c, to + done, run);
                done += run;
                kw = 0;
                kh++;
                continue;
            }
            int length = Math.Min(channels - c, kc - done);
            long pixel = SourcePixel(n, a, b, kh, kw);
            // One channel (a network's first layer) makes every run a single value: no copy loop for it.
            if (length == 1)
                to[done] = pixel >= 0 ? _source[pixel * channels + c] : 0f;
            else if (pixel >= 0)
                GemmPacking.CopyRun(_source + pixel * channels + c, to + done, length);
            else
                new Span<float>(to + done, length).Clear();
            done += length;
            if (++kw == _g.KernelW)
            {
                kw = 0;
                kh++;
            }
        }
    }

    /// <summary>
    /// Whether taps (kh, kw) … (kh, KW − 1) of output pixel (n, a, b) read adjacent input pixels that all lie inside the
    /// image (the forward pass with dilation 1 along w), and if so the first of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool RowOfTapsInside(int n, int a, int b, int kh, int kw, out long first)
    {
        ref readonly ConvGeometry g = ref _g;
        first = -1;
        if (_inputGradient || g.DilationW != 1)
            return false;
        int ih = a * g.StrideH - g.PadH + kh * g.DilationH, iw0 = b * g.StrideW - g.PadW;
        if ((uint)ih >= (uint)g.InH || iw0 + kw < 0 || iw0 + g.KernelW > g.InW)
            return false;
        first = ((long)n * g.InH + ih) * g.InW + iw0 + kw;
        return true;
    }

    /// <summary>The source pixel that tap (kh, kw) of row pixel (n, a, b) reads, or −1 for a zero (see the type).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long SourcePixel(int n, int a, int b, int kh, int kw)
    {
        ref readonly ConvGeometry g = ref _g;
        if (!_inputGradient)
        {
            int ih = a * g.StrideH - g.PadH + kh * g.DilationH, iw = b * g.StrideW - g.PadW + kw * g.DilationW;
            if ((uint)ih >= (uint)g.InH || (uint)iw >= (uint)g.InW)
                return -1;
            return ((long)n * g.InH + ih) * g.InW + iw;
        }
        int th = a + g.PadH - kh * g.DilationH, tw = b + g.PadW - kw * g.DilationW;
        if (th < 0 || tw < 0 || th % g.StrideH != 0 || tw % g.StrideW != 0)
            return -1;
        int oh = th / g.StrideH, ow = tw / g.StrideW;
        if (oh >= g.OutH || ow >= g.OutW)
            return -1;
        return ((long)n * g.OutH + oh) * g.OutW + ow;
    }
}

/// <summary>
/// The A operand of the kernel gradient <c>dW[(kh, kw, c), f] = Σ_pixel A[(kh, kw, c), pixel] · dY[pixel, f]</c>, the
/// transposed patch matrix of a run of output pixels first .. first + K − 1 (one chunk of the batch):
/// <c>A[(kh, kw, c), pixel] = x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c]</c>, 0 in the padding.
/// The lanes of a strip are consecutive (kh, kw, c) indices, which split into runs of consecutive channels of one tap;
/// at every K step (one output pixel) each run is one contiguous copy from x into a contiguous stretch of the strip.
/// </summary>
internal readonly unsafe struct PatchColumns : IPackA
{
    // x: [n, h, w, c]
    private readonly float* _x;
    private readonly ConvGeometry _g;
    private readonly int _firstPixel;

    /// <summary>The transposed patches of output pixels <paramref name="firstPixel"/> onwards (pixel = (n·oh + oh)·ow + ow).</summary>
    // x: [n, h, w, c]
    public PatchColumns(float* x, in ConvGeometry g, int firstPixel)
    {
        _x = x;
        _g = g;
        _firstPixel = firstPixel;
    }

    /// <inheritdoc/>
    // dst: [ceil(rows / width), kc, width]
    public void Pack(int i0, int rows, int p0, int kc, int width, float* dst)
    {
        ref readonly ConvGeometry g = ref _g;
        int channels = g.Channels;
        // Runs of one strip: at most one per lane (channels = 1). Each holds the tap's offsets kh·dh and kw·dw, the
        // first channel, the length and the first lane.
        int* runDh = stackalloc int[width], runDw = stackalloc int[width], runChannel = stackalloc int[width];
        int* runLength = stackalloc int[width], runLane = stackalloc int[width];
        for (int first = 0; first < rows; first += width)
        {
            int valid = Math.Min(width, rows - first);
            float* strip = dst + (nint)first * kc;
            int runs = 0;
            for (int lane = 0; lane < valid; runs++)
            {
                int q = i0 + first + lane, tap = q / channels, c = q - tap * channels;
                int kh = tap / g.KernelW, kw = tap - kh * g.KernelW;
                runDh[runs] = kh * g.DilationH;
                runDw[runs] = kw * g.DilationW;
                runChannel[runs] = c;
                runLength[runs] = Math.Min(channels - c, valid - lane);
                runLane[runs] = lane;
                lane += runLength[runs];
            }

            // The K steps run along rows of the output grid: within one row each run reads x at a fixed stride, from
            // zero (padding) through copies back to zero, so each row segment is at most three strided column moves.
            int pixel = _firstPixel + p0, image = g.OutH * g.OutW;
            int n = pixel / image, rest = pixel - n * image, oh = rest / g.OutW, ow = rest - oh * g.OutW;
            nint step = (nint)g.StrideW * channels;
            for (int p = 0; p < kc;)
            {
                int segment = Math.Min(kc - p, g.OutW - ow);
                float* to = strip + (nint)p * width;
                int ih0 = oh * g.StrideH - g.PadH, iw0 = ow * g.StrideW - g.PadW;
                for (int r = 0; r < runs; r++)
                {
                    int ih = ih0 + runDh[r], iw = iw0 + runDw[r], length = runLength[r];
                    float* lanes = to + runLane[r];
                    if ((uint)ih >= (uint)g.InH)
                    {
                        GemmPacking.ZeroRuns(lanes, width, length, segment);
                        continue;
                    }
                    // Steps j of the segment read column iw + j·sw, inside the image for j in [lo, hi).
                    int lo = iw >= 0 ? 0 : Math.Min(segment, (-iw + g.StrideW - 1) / g.StrideW);
                    int hi = iw >= g.InW ? 0 : Math.Min(segment, (g.InW - 1 - iw) / g.StrideW + 1);
                    hi = Math.Max(hi, lo);
                    GemmPacking.ZeroRuns(lanes, width, length, lo);
                    float* from = _x + (((long)n * g.InH + ih) * g.InW + iw + (long)lo * g.StrideW) * channels + runChannel[r];
                    GemmPacking.CopyRuns(from, step, lanes + (nint)lo * width, width, length, hi - lo);
                    GemmPacking.ZeroRuns(lanes + (nint)hi * width, width, length, segment - hi);
                }
                if (valid < width)
                    GemmPacking.ZeroRuns(to + valid, width, width - valid, segment);
                p += segment;
                ow += segment;
                if (ow == g.OutW)
                {
                    ow = 0;
                    if (++oh == g.OutH)
                    {
                        oh = 0;
                        n++;
                    }
                }
            }
        }
    }
}
