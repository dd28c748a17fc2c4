using Strata.Kernels.Parallel;

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

    /// <summary>
    /// Below this many cols values (a quarter of one core's L2) a call stays on the calling thread: a copy that small is
    /// done in about the time a worker takes to wake and pull its share into its own cache.
    /// </summary>
    internal static readonly long ParallelValues = CacheSizes.Machine.L2 / 4 / sizeof(float);

    /// <summary>cols[(n, oh, ow), (kh, kw, c)] = x[n, oh·s − p + kh·d, ow·s − p + kw·d, c], 0 outside the input.</summary>
    public static unsafe void Im2Col(ReadOnlySpan<float> x, in ConvGeometry g, Span<float> cols)
    {
        // x: [n, h, w, c]; cols: [n·oh·ow, kh·kw·c]. Chunks are blocks of output rows (n, oh): each writes only its
        // own cols rows, so the chunks can run on any thread; a pure copy, so the result is the same on every count.
        int fieldRows = g.Batch * g.OutH;
        fixed (float* px = x, pc = cols)
        {
            var body = new WalkBody { Source = px, Target = pc, G = g, Gather = true };
            body.RowsPerChunk = ChunkRows(g, fieldRows, out int chunks);
            WorkerPool.Run(chunks, ref body);
        }
    }

    /// <summary>dX = 0, then dX[n, ih, iw, c] += dCols[(n, oh, ow), (kh, kw, c)] for every field that covers it.</summary>
    public static unsafe void Col2Im(ReadOnlySpan<float> dCols, in ConvGeometry g, Span<float> dX)
    {
        // dCols: [n·oh·ow, kh·kw·c]; dX: [n, h, w, c]. Overlapping fields of one image add onto the same pixels, so
        // chunks are whole images (all OutH rows of each): no two threads write one pixel, and every pixel receives
        // its additions in the same order as in a single-threaded walk, so the result is bit-identical on any count.
        fixed (float* pc = dCols, px = dX)
        {
            var body = new WalkBody { Source = pc, Target = px, G = g, Gather = false };
            int images = ChunkRows(g, g.Batch, out int chunks);
            body.RowsPerChunk = images * g.OutH;
            WorkerPool.Run(chunks, ref body);
        }
    }

    /// <summary>
    /// How many of <paramref name="units"/> (output rows, or images) one chunk takes: about four chunks per thread
    /// so a thread slowed by other load takes fewer, a single chunk when the whole call is small.
    /// </summary>
    private static int ChunkRows(in ConvGeometry g, int units, out int chunks)
    {
        long values = (long)g.Batch * g.OutH * g.OutW * g.KernelH * g.KernelW * g.Channels;
        int threads = values < ParallelValues ? 1 : WorkerPool.ThreadCount;
        int wanted = threads == 1 ? 1 : Math.Min(units, threads * 4);
        int per = (units + wanted - 1) / Math.Max(wanted, 1);
        per = Math.Max(per, 1);
        chunks = units == 0 ? 0 : (units + per - 1) / per;
        return per;
    }

    private unsafe struct WalkBody : WorkerPool.IChunkBody
    {
        public float* Source, Target;
        public ConvGeometry G;
        public int RowsPerChunk;
        public bool Gather;

        public readonly void Execute(int chunk)
        {
            int total = G.Batch * G.OutH;
            int r0 = chunk * RowsPerChunk, r1 = Math.Min(total, r0 + RowsPerChunk);
            if (!Gather)
            {
                // This chunk's images, cleared here rather than up front so the clearing is split across threads too.
                long image = (long)G.InH * G.InW * G.Channels;
                new Span<float>(Target + r0 / G.OutH * image, checked((int)((r1 - r0) / G.OutH * image))).Clear();
            }
            WalkFields(Source, G, Target, r0, r1, Gather);
        }
    }

    /// <summary>
    /// Visits every (output pixel, kernel tap) pair of output rows [r0, r1) (row = n·OutH + oh) once, with the c
    /// channels of the input pixel it reads: gathering copies them into the field's row (zeros for taps in the
    /// padding); scattering adds the row back onto the input. Without dilation the taps of one kernel row that fall
    /// inside the input are kw·c consecutive values on both sides, so they move as one span: the same element
    /// operations as tap by tap, in fewer, longer (vectorized) calls.
    /// </summary>
    private static unsafe void WalkFields(float* source, in ConvGeometry g, float* target, int r0, int r1, bool gather)
    {
        int c = g.Channels, kW = g.KernelW, rowLength = g.KernelH * kW * c;
        for (int r = r0; r < r1; r++)
        {
            int n = r / g.OutH, oh = r % g.OutH;
            for (int ow = 0; ow < g.OutW; ow++)
            {
                long k = ((long)r * g.OutW + ow) * rowLength;
                int iw0 = ow * g.StrideW - g.PadW;
                for (int kh = 0; kh < g.KernelH; kh++, k += (long)kW * c)
                {
                    int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                    if ((uint)ih >= (uint)g.InH)
                    {
                        // The whole kernel row is in the padding.
                        if (gather) new Span<float>(target + k, kW * c).Clear();
                        continue;
                    }
                    long rowStart = ((long)n * g.InH + ih) * g.InW;
                    if (g.DilationW == 1)
                    {
                        // Taps kw in [lo, hi) read pixels iw0 + kw, all inside the input.
                        int lo = Math.Max(0, -iw0), hi = Math.Min(kW, g.InW - iw0);
                        if (hi <= lo)
                        {
                            if (gather) new Span<float>(target + k, kW * c).Clear();
                            continue;
                        }
                        Move(source, target, (rowStart + iw0 + lo) * c, k + (long)lo * c, (hi - lo) * c, gather);
                        if (gather)
                        {
                            new Span<float>(target + k, lo * c).Clear();
                            new Span<float>(target + k + (long)hi * c, (kW - hi) * c).Clear();
                        }
                        continue;
                    }
                    for (int kw = 0; kw < kW; kw++)
                    {
                        int iw = iw0 + kw * g.DilationW;
                        long tap = k + (long)kw * c;
                        if ((uint)iw < (uint)g.InW) Move(source, target, (rowStart + iw) * c, tap, c, gather);
                        else if (gather) new Span<float>(target + tap, c).Clear();
                    }
                }
            }
        }
    }

    /// <summary>Gathering: cols[col..] = x[pixel..]; scattering: dX[pixel..] += dCols[col..]; <paramref name="length"/> values.</summary>
    private static unsafe void Move(float* source, float* target, long pixel, long col, int length, bool gather)
    {
        if (gather)
        {
            new ReadOnlySpan<float>(source + pixel, length).CopyTo(new Span<float>(target + col, length));
        }
        else
        {
            var into = new Span<float>(target + pixel, length);
            System.Numerics.Tensors.TensorPrimitives.Add(into, new ReadOnlySpan<float>(source + col, length), into);
        }
    }
}

/// <summary>Shapes, strides, dilations and leading padding of one convolution or pooling call.</summary>
internal readonly record struct ConvGeometry(
    int Batch, int InH, int InW, int Channels, int KernelH, int KernelW, int StrideH, int StrideW,
    int DilationH, int DilationW, int OutH, int OutW, int PadH, int PadW);
