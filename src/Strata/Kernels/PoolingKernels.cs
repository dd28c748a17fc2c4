using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// 2-D pooling on NHWC tensors. Max pooling records the flat input index of each window's maximum so the
/// backward pass routes the gradient there (ties: the first maximum in window order, as in TensorFlow); average
/// pooling divides by the number of window cells inside the input (padding does not count, as in Keras); global
/// average pooling is average pooling with one window covering the image.
/// <para>
/// Channels are contiguous in NHWC, so they are the vector dimension: for each output pixel a body of the portable
/// vector layer (<see cref="Vectorized"/>) walks the window's inside cells (a rectangle, since pooling has no
/// dilation) and combines Count channels of each cell at once; one width dispatch covers the whole call. The scalar
/// twins are in <see cref="Reference.ReferencePoolingKernels"/>.
/// </para>
/// </summary>
internal static unsafe class PoolingKernels
{
    /// <summary>
    /// y[n, oh, ow, c] = max over the window's cells inside the input; argmax receives the flat input index of the
    /// first maximum in window order (kh-major, then kw). A NaN cell is the maximum (the first NaN is kept); an empty
    /// window gives y = 0 and argmax −1.
    /// </summary>
    /// <remarks>
    /// Each lane keeps a running best value and the int32 index of the cell it came from. The first inside cell
    /// starts both; a later cell v replaces best where v &gt; best, or where v is NaN and best is not (GreaterThan is
    /// false whenever either side is NaN, so a NaN best is never replaced and ties keep the earlier cell). The index
    /// travels in int32 lanes (<see cref="IVector{TSelf}.Int32Sequence"/>, chosen by the same bitwise Select), not as
    /// floats, which would round indices above 2²⁴.
    /// </remarks>
    public static void MaxForward(ReadOnlySpan<float> x, in ConvGeometry g, Span<float> y, Span<int> argmax)
    {
        // x: [n, h, w, c]; y, argmax: [n, oh, ow, c] (argmax may be longer)
        int outputs = Check(g, x.Length, y.Length);
        if (argmax.Length < outputs)
            throw new ArgumentException($"Max pooling needs {outputs} argmax slots; got {argmax.Length}.", nameof(argmax));
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
            ForWindows(new MaxWindow { X = px, Y = py, Argmax = pa }, g);
    }

    /// <summary>dX = 0, then dX[argmax[o]] += dY[o] for every argmax[o] ≥ 0 (negative: an empty window).</summary>
    /// <remarks>
    /// A scatter: each output sends its gradient to one computed address, and overlapping windows (stride &lt; pool)
    /// can send two outputs of one channel to the same cell. Vector scatters exist only in AVX-512 (and would need
    /// conflict detection for those collisions); NEON has none. The loop stays scalar, one load, add and store per
    /// output through pointers (the lengths are checked once), with a single unsigned compare per output that both
    /// skips empty windows and keeps every write inside dX.
    /// </remarks>
    public static void MaxBackward(ReadOnlySpan<float> dY, ReadOnlySpan<int> argmax, Span<float> dX)
    {
        // dY, argmax: [n, oh, ow, c]; dX: [n, h, w, c]
        if (argmax.Length < dY.Length)
            throw new ArgumentException($"Max pooling backward needs {dY.Length} argmax slots; got {argmax.Length}.", nameof(argmax));
        dX.Clear();
        uint cells = (uint)dX.Length;
        fixed (float* pdy = dY, pdx = dX)
        fixed (int* pa = argmax)
        {
            for (int o = 0; o < dY.Length; o++)
            {
                int at = pa[o];
                if ((uint)at < cells) pdx[at] += pdy[o];
                else if (at >= 0) throw new ArgumentOutOfRangeException(nameof(argmax), at, $"An argmax outside dX (length {cells}).");
            }
        }
    }

    /// <summary>
    /// Forward: y = (Σ window's inside cells)·(1/count), summed in window order. With backward = true:
    /// dX = 0, then dX[cell] += dY·(1/count) over every output's window. count = the inside cells (an empty window
    /// gives y = 0 and sends nothing).
    /// </summary>
    public static void Average(ReadOnlySpan<float> source, in ConvGeometry g, Span<float> target, bool backward)
    {
        // forward: source x [n, h, w, c], target y [n, oh, ow, c]; backward: source dY [n, oh, ow, c], target dX [n, h, w, c]
        if (backward) Check(g, target.Length, source.Length);
        else Check(g, source.Length, target.Length);
        fixed (float* ps = source, pt = target)
        {
            if (backward)
            {
                target.Clear();
                // Output pixels run in order, so overlapping windows add into a cell in output order at every width.
                ForWindows(new AverageGradientWindow { DY = ps, DX = pt }, g);
            }
            else
            {
                ForWindows(new AverageWindow { X = ps, Y = pt }, g);
            }
        }
    }

    /// <summary>y[n, c] = (Σ over the h·w pixels of x[n, ·, ·, c])·(1/(h·w)), summed in pixel order.</summary>
    public static void GlobalAverage(ReadOnlySpan<float> x, int batch, int height, int width, int channels, Span<float> y)
    {
        // x: [n, h, w, c]; y: [n, c]
        Average(x, WholeImage(batch, height, width, channels), y, backward: false);
    }

    /// <summary>dX[n, h, w, c] = dY[n, c]·(1/(h·w)) at every pixel.</summary>
    public static void GlobalAverageBackward(ReadOnlySpan<float> dY, int batch, int height, int width, int channels, Span<float> dX)
    {
        // dY: [n, c]; dX: [n, h, w, c]
        Average(dY, WholeImage(batch, height, width, channels), dX, backward: true);
    }

    /// <summary>One valid window of the image's size: a single output pixel per image, every pixel inside.</summary>
    private static ConvGeometry WholeImage(int batch, int height, int width, int channels) =>
        new(batch, height, width, channels, height, width, 1, 1, 1, 1, 1, 1, 0, 0);

    /// <summary>
    /// One output pixel's window: the pixel at flat offset <c>Output</c> (channel 0), whose inside cells are
    /// <c>Rows</c> × <c>Cols</c> from flat input offset <c>First</c> (channel 0): cell (r, q) is at
    /// First + r·RowStride + q·C.
    /// </summary>
    private readonly record struct Window(int Output, int First, int Rows, int Cols, int C, int RowStride);

    /// <summary>A body over the channels of one output pixel, combining the cells of its window.</summary>
    private interface IWindowBody : IVectorBody
    {
        /// <summary>Moves the body to <paramref name="window"/>.</summary>
        void SetWindow(in Window window);
    }

    /// <summary>Runs a window body over every output pixel, in order, at the dispatched width (one dispatch per call).</summary>
    private static void ForWindows<TBody>(TBody body, in ConvGeometry g) where TBody : struct, IWindowBody
    {
        var job = new WindowsJob<TBody> { Body = body, G = g };
        VectorWidths.Dispatch(ref job);
    }

    private struct WindowsJob<TBody> : IWidthJob where TBody : struct, IWindowBody
    {
        public TBody Body;
        public ConvGeometry G;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            ConvGeometry g = G;
            int c = g.Channels, rowStride = g.InW * c, o = 0;
            for (int n = 0; n < g.Batch; n++)
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    // Inside rows [h0, h1) of the window starting at oh·stride − pad; likewise columns below.
                    int top = oh * g.StrideH - g.PadH;
                    int h0 = Math.Max(0, top), h1 = Math.Min(g.InH, top + g.KernelH);
                    for (int ow = 0; ow < g.OutW; ow++, o += c)
                    {
                        int left = ow * g.StrideW - g.PadW;
                        int w0 = Math.Max(0, left), w1 = Math.Min(g.InW, left + g.KernelW);
                        int rows = Math.Max(0, h1 - h0), cols = Math.Max(0, w1 - w0);
                        int first = rows > 0 && cols > 0 ? ((n * g.InH + h0) * g.InW + w0) * c : 0;
                        Body.SetWindow(new Window(o, first, rows, cols, c, rowStride));
                        Vectorized.For<TBody, TV>(ref Body, c);
                    }
                }
        }
    }

    private struct MaxWindow : IWindowBody
    {
        public float* X, Y;
        public int* Argmax;
        private Window _w;

        public void SetWindow(in Window window) => _w = window;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint ch) where TV : unmanaged, IVector<TV>
        {
            nint o = _w.Output + ch;
            if (_w.Rows == 0 || _w.Cols == 0)
            {
                // Only a geometry with more padding than window (never a layer's) has empty windows.
                TV.Store(TV.Zero, Y + o);
                for (int k = 0; k < TV.Count; k++) Argmax[o + k] = -1;
                return;
            }
            int rows = _w.Rows, cols = _w.Cols, c = _w.C, rowStride = _w.RowStride, start = _w.First + (int)ch;
            var best = TV.Load(X + start);
            var index = TV.Int32Sequence(start);
            for (int r = 0; r < rows; r++)
            {
                int row = start + r * rowStride;
                for (int q = r == 0 ? 1 : 0; q < cols; q++)
                {
                    int i = row + q * c;
                    var v = TV.Load(X + i);
                    // v > best, or v NaN while best is not: the first maximum, and the first NaN, win.
                    var take = TV.Select(TV.IsNotNaN(v), TV.GreaterThan(v, best), TV.IsNotNaN(best));
                    best = TV.Select(take, v, best);
                    index = TV.Select(take, TV.Int32Sequence(i), index);
                }
            }
            TV.Store(best, Y + o);
            TV.StoreInt32(index, Argmax + o);
        }
    }

    private struct AverageWindow : IWindowBody
    {
        public float* X, Y;
        private Window _w;

        public void SetWindow(in Window window) => _w = window;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint ch) where TV : unmanaged, IVector<TV>
        {
            int rows = _w.Rows, cols = _w.Cols, c = _w.C, rowStride = _w.RowStride, count = rows * cols;
            var sum = TV.Zero;
            for (int r = 0; r < rows; r++)
            {
                int row = _w.First + (int)ch + r * rowStride;
                for (int q = 0; q < cols; q++) sum += TV.Load(X + row + q * c);
            }
            TV.Store(sum * TV.Create(count == 0 ? 0f : 1f / count), Y + _w.Output + ch);
        }
    }

    private struct AverageGradientWindow : IWindowBody
    {
        public float* DY, DX;
        private Window _w;

        public void SetWindow(in Window window) => _w = window;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint ch) where TV : unmanaged, IVector<TV>
        {
            // Fields to locals: the stores through DX could otherwise make the JIT reload them from the body.
            int rows = _w.Rows, cols = _w.Cols, c = _w.C, rowStride = _w.RowStride, count = rows * cols;
            if (count == 0) return;
            var share = TV.Load(DY + _w.Output + ch) * TV.Create(1f / count);
            for (int r = 0; r < rows; r++)
            {
                int row = _w.First + (int)ch + r * rowStride;
                for (int q = 0; q < cols; q++)
                {
                    float* cell = DX + row + q * c;
                    TV.Store(TV.Load(cell) + share, cell);
                }
            }
        }
    }

    /// <summary>Checks the span lengths against the geometry; returns the output length n·oh·ow·c.</summary>
    private static int Check(in ConvGeometry g, int inputLength, int outputLength)
    {
        if (g.DilationH != 1 || g.DilationW != 1)
            throw new ArgumentException($"Pooling windows have no dilation; got ({g.DilationH}, {g.DilationW}).");
        long input = (long)g.Batch * g.InH * g.InW * g.Channels, output = (long)g.Batch * g.OutH * g.OutW * g.Channels;
        if (inputLength != input || outputLength != output)
            throw new ArgumentException($"Pooling spans of {inputLength} and {outputLength} values where the geometry has {input} inputs and {output} outputs.");
        return (int)output;
    }
}
