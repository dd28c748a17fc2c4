using System.Numerics.Tensors;
using Strata.Kernels.Conv;
using Strata.Kernels.MatMul;
using Strata.Kernels.Parallel;

namespace Strata.Kernels;

/// <summary>
/// 2-D convolution on NHWC tensors with TensorFlow's padding rules, as implicit GEMMs: the patch matrix
/// P[(n, oh, ow), (kh, kw, c)] = x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c] is never stored; its values are
/// gathered straight into the GEMM's packed Ã strips (<see cref="PatchRows"/>, <see cref="PatchColumns"/>).
/// <list type="bullet">
/// <item>Forward: <c>Y = P · W</c>, W as Keras stores it, [kh·kw·c, filters].</item>
/// <item>Input gradient: <c>dX = Q · W'</c>, rows the input pixels, Q the dY values each input pixel's taps came from and
/// W' = W with each tap's [c, f] block transposed (<see cref="RearrangeKernel"/>); each dX value is written once.</item>
/// <item>Kernel gradient: <c>dW += Pᵀ · dY</c>, K the output pixels, split into chunks of a size fixed by the shape; each
/// chunk's product goes to its own partial buffer (in parallel), and the partials are added into dW in chunk order.</item>
/// </list>
/// Every split depends on the shapes (and the machine's cache blocking), never on the thread count, so all three are
/// bit-identical on any number of threads.
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
    /// Output pixels per kernel-gradient chunk, at least: 2048 = 8 K blocks of 256, so adding a chunk's partial
    /// (kh·kw·c·filters values) costs under 1/2048 of the chunk's multiply-adds, while a batch of a few thousand output
    /// pixels still gives each thread several chunks to balance.
    /// </summary>
    internal const int GradientChunkPixels = 2048;

    /// <summary>
    /// Products of fewer flops than this run on the calling thread. A convolution's large operands are activations
    /// (its weights are a few thousand values), which outgrow one core's L2 and stream from L3 whichever core reads them,
    /// so a split only has to pay for waking the workers: 2²² flops take tens of microseconds on one core, against a few
    /// for the hand-off. (Dense products wait for <see cref="Gemm.ParallelFlops"/>, whose weights sit in one core's L2.)
    /// </summary>
    internal const long SplitFlops = 1L << 22;

    /// <summary>At most this many kernel-gradient chunks: bounds the partial buffers at 64 copies of dW.</summary>
    internal const int MaxGradientChunks = 64;

    /// <summary>
    /// The chunking of the kernel gradient's K = n·oh·ow output pixels: chunks of
    /// max(<see cref="GradientChunkPixels"/>, ⌈pixels / <see cref="MaxGradientChunks"/>⌉) pixels, the last one shorter.
    /// A function of the shape alone.
    /// </summary>
    public static (int Chunks, int PixelsPerChunk) GradientChunks(in ConvGeometry g)
    {
        int pixels = checked(g.Batch * g.OutH * g.OutW);
        int per = Math.Max(GradientChunkPixels, (pixels + MaxGradientChunks - 1) / MaxGradientChunks);
        return ((pixels + per - 1) / per, per);
    }

    /// <summary>Floats of the partial buffers <see cref="KernelGradient"/> needs: chunks · kh·kw·c·filters, 0 for one chunk.</summary>
    public static long GradientPartialLength(in ConvGeometry g, int filters)
    {
        int chunks = GradientChunks(g).Chunks;
        return chunks <= 1 ? 0 : (long)chunks * FieldSize(g) * filters;
    }

    /// <summary>y[(n, oh, ow), f] = Σ_(kh, kw, c) x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c] · W[(kh, kw, c), f].</summary>
    // x: [n, h, w, c]; kernel: [kh·kw·c, filters]; y: [n·oh·ow, filters]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, in ConvGeometry g, int filters, Span<float> y)
    {
        var job = new ConvJob { Pass = ConvPass.Forward, Input = x, Weights = kernel, G = g, Filters = filters, Output = y };
        MicroKernels.Dispatch(ref job);
    }

    /// <summary><see cref="Forward"/> with a given micro-kernel; tests call it to cover every kernel.</summary>
    // x: [n, h, w, c]; kernel: [kh·kw·c, filters]; y: [n·oh·ow, filters]
    internal static unsafe void Forward<TKernel>(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, in ConvGeometry g, int filters,
        Span<float> y) where TKernel : unmanaged, IMicroKernel
    {
        int rows = checked(g.Batch * g.OutH * g.OutW), field = FieldSize(g);
        Require(x.Length, InputLength(g), nameof(x));
        Require(kernel.Length, (long)field * filters, nameof(kernel));
        Require(y.Length, (long)rows * filters, nameof(y));
        fixed (float* px = x, pk = kernel, py = y)
            Gemm.Multiply<TKernel, PatchRows>(PatchRows.Forward(px, g), pk, false, rows, field, filters, false, py, SplitFlops);
    }

    /// <summary>
    /// W'[(kh, kw, f), c] = W[(kh, kw, c), f]: each tap's [c, filters] block transposed, the B operand of
    /// <see cref="InputGradient"/>.
    /// </summary>
    // kernel: [kh·kw·c, filters]; kernelByFilter: [kh·kw·filters, c]
    public static void RearrangeKernel(ReadOnlySpan<float> kernel, in ConvGeometry g, int filters, Span<float> kernelByFilter)
    {
        int c = g.Channels, taps = g.KernelH * g.KernelW;
        Require(kernel.Length, (long)taps * c * filters, nameof(kernel));
        Require(kernelByFilter.Length, (long)taps * c * filters, nameof(kernelByFilter));
        for (int t = 0; t < taps; t++)
        {
            ReadOnlySpan<float> from = kernel.Slice(t * c * filters, c * filters);
            Span<float> to = kernelByFilter.Slice(t * c * filters, c * filters);
            for (int ch = 0; ch < c; ch++)
                for (int f = 0; f < filters; f++)
                    to[f * c + ch] = from[ch * filters + f];
        }
    }

    /// <summary>
    /// dX[(n, ih, iw), c] = Σ_(kh, kw, f) dY[n, oh, ow, f] · W[(kh, kw, c), f] over the taps whose
    /// oh = (ih + ph − kh·dh)/sh and ow = (iw + pw − kw·dw)/sw are exact and inside the output; overwrites dX.
    /// </summary>
    // dy: [n·oh·ow, filters]; kernelByFilter: [kh·kw·filters, c] (from RearrangeKernel); dx: [n, h, w, c]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernelByFilter, in ConvGeometry g, int filters,
        Span<float> dx)
    {
        var job = new ConvJob { Pass = ConvPass.InputGradient, Input = dy, Weights = kernelByFilter, G = g, Filters = filters, Output = dx };
        MicroKernels.Dispatch(ref job);
    }

    /// <summary><see cref="InputGradient"/> with a given micro-kernel; tests call it to cover every kernel.</summary>
    // dy: [n·oh·ow, filters]; kernelByFilter: [kh·kw·filters, c]; dx: [n, h, w, c]
    internal static unsafe void InputGradient<TKernel>(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernelByFilter, in ConvGeometry g,
        int filters, Span<float> dx) where TKernel : unmanaged, IMicroKernel
    {
        int rows = checked(g.Batch * g.InH * g.InW), k = checked(g.KernelH * g.KernelW * filters);
        Require(dy.Length, (long)g.Batch * g.OutH * g.OutW * filters, nameof(dy));
        Require(kernelByFilter.Length, (long)k * g.Channels, nameof(kernelByFilter));
        Require(dx.Length, rows * (long)g.Channels, nameof(dx));
        fixed (float* pd = dy, pk = kernelByFilter, px = dx)
        {
            Gemm.Multiply<TKernel, PatchRows>(PatchRows.InputGradient(pd, g, filters), pk, false, rows, k, g.Channels, false, px,
                SplitFlops);
        }
    }

    /// <summary>
    /// dW[(kh, kw, c), f] += Σ_(n, oh, ow) x[n, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw, c] · dY[(n, oh, ow), f], the
    /// pixels in chunks (<see cref="GradientChunks"/>): chunk j's sum goes to partials[j] and the partials are added into
    /// dW in order j = 0, 1, …; with a single chunk its sum is added into dW directly.
    /// </summary>
    // x: [n, h, w, c]; dy: [n·oh·ow, filters]; partials: [GradientPartialLength]; dW: [kh·kw·c, filters]
    public static void KernelGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in ConvGeometry g, int filters,
        Span<float> partials, Span<float> dW)
    {
        var job = new ConvJob
        {
            Pass = ConvPass.KernelGradient, Input = x, Weights = dy, G = g, Filters = filters, Partials = partials, Output = dW,
        };
        MicroKernels.Dispatch(ref job);
    }

    private enum ConvPass { Forward, InputGradient, KernelGradient }

    /// <summary>One of the three products, run with the micro-kernel of the current width.</summary>
    private ref struct ConvJob : IKernelJob
    {
        public ConvPass Pass;
        public ReadOnlySpan<float> Input, Weights;
        public Span<float> Partials, Output;
        public ConvGeometry G;
        public int Filters;

        public readonly void Run<TKernel>() where TKernel : unmanaged, IMicroKernel
        {
            switch (Pass)
            {
                case ConvPass.Forward:
                    Forward<TKernel>(Input, Weights, G, Filters, Output);
                    break;
                case ConvPass.InputGradient:
                    InputGradient<TKernel>(Input, Weights, G, Filters, Output);
                    break;
                default:
                    KernelGradient<TKernel>(Input, Weights, G, Filters, Partials, Output);
                    break;
            }
        }
    }

    /// <summary><see cref="KernelGradient"/> with a given micro-kernel; tests call it to cover every kernel.</summary>
    // x: [n, h, w, c]; dy: [n·oh·ow, filters]; partials: [GradientPartialLength]; dW: [kh·kw·c, filters]
    internal static unsafe void KernelGradient<TKernel>(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, in ConvGeometry g,
        int filters, Span<float> partials, Span<float> dW) where TKernel : unmanaged, IMicroKernel
    {
        int field = FieldSize(g), pixels = checked(g.Batch * g.OutH * g.OutW), size = checked(field * filters);
        Require(x.Length, InputLength(g), nameof(x));
        Require(dy.Length, (long)pixels * filters, nameof(dy));
        Require(partials.Length, GradientPartialLength(g, filters), nameof(partials));
        Require(dW.Length, size, nameof(dW));
        if (pixels == 0)
            return;
        var (chunks, per) = GradientChunks(g);
        fixed (float* px = x, pd = dy, pp = partials, pw = dW)
        {
            if (chunks == 1)
            {
                // One chunk: the GEMM may split dW's rows or columns among threads itself (K is never split).
                Gemm.Multiply<TKernel, PatchColumns>(new PatchColumns(px, g, 0), pd, false, field, pixels, filters, true, pw,
                    SplitFlops);
                return;
            }
            var body = new GradientChunkBody<TKernel>
            {
                X = px, DY = pd, Partials = pp, G = g, Filters = filters, PixelsPerChunk = per,
            };
            if (2L * size * pixels < SplitFlops)
            {
                for (int j = 0; j < chunks; j++)
                    body.Execute(j);
            }
            else
            {
                WorkerPool.Run(chunks, ref body);
            }
            for (int j = 0; j < chunks; j++)
                TensorPrimitives.Add(dW[..size], partials.Slice(j * size, size), dW[..size]);
        }
    }

    /// <summary>One chunk of the kernel gradient: partials[chunk] = Pᵀ · dY over the chunk's output pixels, on one thread.</summary>
    private unsafe struct GradientChunkBody<TKernel> : WorkerPool.IChunkBody where TKernel : unmanaged, IMicroKernel
    {
        // X: [n, h, w, c]; DY: [n·oh·ow, filters]; Partials: [chunks, kh·kw·c, filters]
        public float* X, DY, Partials;
        public ConvGeometry G;
        public int Filters, PixelsPerChunk;

        public readonly void Execute(int chunk)
        {
            int field = FieldSize(G), pixels = G.Batch * G.OutH * G.OutW;
            int first = chunk * PixelsPerChunk, count = Math.Min(PixelsPerChunk, pixels - first);
            Gemm.Multiply<TKernel, PatchColumns>(new PatchColumns(X, G, first), DY + (long)first * Filters, false, field, count,
                Filters, false, Partials + (long)chunk * field * Filters, long.MaxValue);
        }
    }

    /// <summary>kh·kw·c, the length of one receptive field (a row of the patch matrix).</summary>
    private static int FieldSize(in ConvGeometry g) => checked(g.KernelH * g.KernelW * g.Channels);

    private static long InputLength(in ConvGeometry g) => (long)g.Batch * g.InH * g.InW * g.Channels;

    private static void Require(int length, long needed, string name)
    {
        if (length < needed)
            throw new ArgumentException($"{name} must hold {needed} values; it holds {length}.", name);
    }
}

/// <summary>Shapes, strides, dilations and leading padding of one convolution or pooling call.</summary>
internal readonly record struct ConvGeometry(
    int Batch, int InH, int InW, int Channels, int KernelH, int KernelW, int StrideH, int StrideW,
    int DilationH, int DilationW, int OutH, int OutW, int PadH, int PadW);
