using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Parallel;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Single-precision matrix multiply on row-major, contiguous matrices:
/// <c>C[m, n] = op(A) · op(B) + beta · C</c> with beta 0 (overwrite) or 1 (accumulate).
/// NN serves Dense forward (Y = X·W), NT the input gradient (dX = dY·Wᵀ), TN the weight gradient (dW += Xᵀ·dY).
/// </summary>
/// <remarks>
/// <para>
/// BLIS/Goto loop nest: for each NC-wide column block of C, for each KC block of K, pack B̃ (KC × NC) into NR-wide
/// strips; for each MC-tall row block, pack Ã (MC × KC) into MR-tall strips; then every MR × NR tile of the block
/// is one micro-kernel call. KC, MC and NC come from the cache sizes of the machine (<see cref="GemmBlocking"/>).
/// The transposes of NT and TN happen in packing, so one micro-kernel serves all three: the tile of the current
/// vector width (<see cref="MicroKernels"/>: 8×32 Vector512, 6×16 Vector256, 6×8 or, on ARM64, 8×8 Vector128, and a
/// 6×2 scalar tile without vector hardware). Edge tiles go through a scratch tile (a half-width kernel when the last strip has at
/// most NR/2 columns) and masked stores. In NN and TN with few rows, B is read in place instead of packed: it is used
/// by so few A strips that copying it would cost more than it saves; with a single row block, the other B̃ strips are
/// packed one at a time just before use, into L1.
/// </para>
/// <para>
/// A reaches the loop nest only through an <see cref="IPackA"/>, which writes each Ã block: <see cref="DenseA"/> packs a
/// stored matrix (NN, NT, TN), and the convolution kernels gather their patches from the tensors instead, so the patch
/// matrix is never stored.
/// </para>
/// <para>
/// Threads split C into contiguous ranges of whole strips along M or N, chosen by a cost model of multiply-adds
/// plus the packing each part repeats (see <see cref="Plan{TKernel}"/>); where the parts of an M split are tall enough
/// to hold several row blocks, the threads pack each B̃ block once, together, instead of once per part (see
/// <see cref="RunSharedB{TKernel, TPackA}"/>), so a large product reads B from memory once. K is never split and the K blocks depend
/// on k and KC alone, so every element of C sees the same operations in the same order on any number of threads:
/// results are bit-identical for every <see cref="WorkerPool.ThreadCount"/>.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary>
    /// Products smaller than this many flops (2·m·n·k) run on the calling thread alone: 2·s³, the flops of the square
    /// product whose weight matrix alone fills the L2 of one core (s·s floats, 4·s² bytes = L2). A split makes the
    /// other cores first pull their share of the operands out of the calling core's cache (in a training loop the
    /// optimizer has just rewritten every weight there), and that only pays once the operands outgrow what one core
    /// keeps in L2 anyway; beyond that they stream from L3 or memory whichever core runs them.
    /// </summary>
    internal static readonly long ParallelFlops = ParallelFlopsFor(CacheSizes.Machine.L2);

    /// <summary>The <see cref="ParallelFlops"/> rule for an L2 of <paramref name="l2Bytes"/> bytes: 2·s³ with 4·s² = L2.</summary>
    internal static long ParallelFlopsFor(long l2Bytes)
    {
        double side = Math.Sqrt(l2Bytes / (double)sizeof(float));
        return (long)(2 * side * side * side);
    }

    /// <summary>B is read in place (NN, TN) when a thread's share of C has at most this many rows.</summary>
    internal const int DirectBMaxRows = 64;

    /// <summary>C[m, n] = A[m, k] · B[k, n] + beta·C.</summary>
    public static void NN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => Multiply(a, false, b, false, m, k, n, beta, c);

    /// <summary>C[m, n] = A[m, k] · B[n, k]ᵀ + beta·C.</summary>
    public static void NT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => Multiply(a, false, b, true, m, k, n, beta, c);

    /// <summary>C[m, n] = A[k, m]ᵀ · B[k, n] + beta·C.</summary>
    public static void TN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => Multiply(a, true, b, false, m, k, n, beta, c);

    // a: [m, k] or, transposed, [k, m]; b: [k, n] or, transposed, [n, k]; c: [m, n]
    private static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        int m, int k, int n, float beta, Span<float> c)
    {
        var job = new DenseJob { A = a, TransA = transA, B = b, TransB = transB, M = m, K = k, N = n, Beta = beta, C = c };
        MicroKernels.Dispatch(ref job);
    }

    /// <summary>A dense product, run with the micro-kernel of the current width.</summary>
    private ref struct DenseJob : IKernelJob
    {
        public ReadOnlySpan<float> A, B;
        public Span<float> C;
        public bool TransA, TransB;
        public int M, K, N;
        public float Beta;

        public readonly void Run<TKernel>() where TKernel : unmanaged, IMicroKernel
            => Multiply<TKernel>(A, TransA, B, TransB, M, K, N, Beta, C);
    }

    /// <summary>The GEMM with a given micro-kernel; tests call it to cover the kernel this machine would not pick.</summary>
    // a: [m, k] or, transposed, [k, m]; b: [k, n] or, transposed, [n, k]; c: [m, n]
    internal static unsafe void Multiply<TKernel>(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        int m, int k, int n, float beta, Span<float> c) where TKernel : unmanaged, IMicroKernel
    {
        Validate(a, b, m, k, n, beta, c);
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            // C = 0·(empty sum) + beta·C
            if (beta == 0f)
                c[..(m * n)].Clear();
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
            Run<TKernel, DenseA>(new DenseA(pa, transA, m, k), pb, transB, m, k, n, beta == 1f, pc, ParallelFlops);
    }

    /// <summary>
    /// <c>C[m, n] = A · op(B)</c>, or <c>C + A · op(B)</c> if <paramref name="accumulate"/>, with A supplied by a packer
    /// (<see cref="IPackA"/>) rather than stored: the convolution kernels feed their patches through it. The caller has
    /// checked the sizes. A product of fewer than <paramref name="splitFlops"/> flops (2·m·n·k) stays on the calling
    /// thread: <see cref="ParallelFlops"/> where B is a weight matrix an optimizer has just written, smaller where the
    /// operands are activations that stream from L3 whichever core reads them, <see cref="long.MaxValue"/> for a caller
    /// that already runs one product per worker chunk. The result is the same either way.
    /// </summary>
    // b: [k, n] or, transposed, [n, k]; c: [m, n]
    internal static unsafe void Multiply<TKernel, TPackA>(in TPackA a, float* b, bool transB, int m, int k, int n,
        bool accumulate, float* c, long splitFlops)
        where TKernel : unmanaged, IMicroKernel where TPackA : unmanaged, IPackA
    {
        if (m <= 0 || n <= 0)
            return;
        if (k <= 0)
        {
            if (!accumulate)
                new Span<float>(c, checked(m * n)).Clear();
            return;
        }
        Run<TKernel, TPackA>(a, b, transB, m, k, n, accumulate, c, splitFlops);
    }

    private static void Validate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (beta != 0f && beta != 1f)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "GEMM supports beta = 0 (overwrite C) or beta = 1 (accumulate into C).");
        if (a.Length < (long)m * k)
            throw new ArgumentException($"A must hold m·k = {m}·{k} = {(long)m * k} values; it holds {a.Length}.", nameof(a));
        if (b.Length < (long)k * n)
            throw new ArgumentException($"B must hold k·n = {k}·{n} = {(long)k * n} values; it holds {b.Length}.", nameof(b));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"C must hold m·n = {m}·{n} = {(long)m * n} values; it holds {c.Length}.", nameof(c));
        if (c.Overlaps(a) || c.Overlaps(b))
            throw new ArgumentException("C must not overlap A or B.", nameof(c));
    }

    // b: [k, n] or [n, k]; c: [m, n]
    private static unsafe void Run<TKernel, TPackA>(in TPackA a, float* b, bool transB, int m, int k, int n,
        bool accumulate, float* c, long splitFlops) where TKernel : unmanaged, IMicroKernel where TPackA : unmanaged, IPackA
    {
        int threads = 2L * m * n * k < splitFlops ? 1 : WorkerPool.ThreadCount;
        Run<TKernel, TPackA>(a, b, transB, m, k, n, accumulate, c, Plan<TKernel>(m, k, n, transB, threads), threads);
    }

    /// <summary>
    /// The dense product run with a given split on <paramref name="threads"/> threads, whatever the planner would choose:
    /// tests cover each kind of split with it on any machine.
    /// </summary>
    // a: [m, k] or, transposed, [k, m]; b: [k, n] or, transposed, [n, k]; c: [m, n]
    internal static unsafe void Multiply<TKernel>(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        int m, int k, int n, float beta, Span<float> c, Split split, int threads) where TKernel : unmanaged, IMicroKernel
    {
        Validate(a, b, m, k, n, beta, c);
        fixed (float* pa = a, pb = b, pc = c)
            Run<TKernel, DenseA>(new DenseA(pa, transA, m, k), pb, transB, m, k, n, beta == 1f, pc, split, threads);
    }

    // b: [k, n] or [n, k]; c: [m, n]
    private static unsafe void Run<TKernel, TPackA>(in TPackA a, float* b, bool transB, int m, int k, int n,
        bool accumulate, float* c, Split split, int threads) where TKernel : unmanaged, IMicroKernel where TPackA : unmanaged, IPackA
    {
        var job = new GemmJob<TKernel, TPackA>
        {
            A = a,
            B = b,
            C = c,
            M = m,
            K = k,
            N = n,
            TransB = transB,
            Accumulate = accumulate,
            DirectB = !transB && split.RowsPerPart <= DirectBMaxRows,
            SplitN = split.AlongN,
            Parts = split.Parts,
            KcStep = KBlockStep(k, TKernel.KC),
        };
        if (split.SharedB)
            RunSharedB(ref job, threads);
        else if (split.Parts == 1)
            job.Execute(0);
        else
            WorkerPool.Run(split.Parts, ref job);
    }

    /// <summary>
    /// The loop nest of an M split whose parts each have several row blocks: for every block pair (jc, pc) the threads
    /// first pack B̃ together, strip by strip, into one buffer, then each part packs its own Ã blocks and multiplies
    /// them with the shared B̃. Packed per part, B̃ would be read from memory once per part; shared, B is read once in
    /// all, like A. The strips and the tiles are the same as in a per-part run, so the result is too.
    /// </summary>
    private static unsafe void RunSharedB<TKernel, TPackA>(ref GemmJob<TKernel, TPackA> job, int threads)
        where TKernel : unmanaged, IMicroKernel where TPackA : unmanaged, IPackA
    {
        int nr = TKernel.NR;
        int ncMax = Math.Min(TKernel.NC, (job.N + nr - 1) / nr * nr);
        job.SharedPack = GemmScratch.ForCurrentThread().SharedB((nint)ncMax * job.KcStep);
        for (int jc = 0; jc < job.N; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, job.N - jc);
            job.PackChunks = Math.Min((nc + nr - 1) / nr, threads * 4);
            for (int pc = 0; pc < job.K; pc += job.KcStep)
            {
                job.Block = new BlockPair(jc, nc, pc, Math.Min(job.KcStep, job.K - pc));
                job.PackingShared = true;
                WorkerPool.Run(job.PackChunks, ref job);
                job.PackingShared = false;
                WorkerPool.Run(job.Parts, ref job);
            }
        }
    }

    /// <summary>One column block and one K block of the loop nest: columns jc..jc+nc, K steps pc..pc+kc.</summary>
    private readonly record struct BlockPair(int Jc, int Nc, int Pc, int Kc);

    /// <summary>
    /// K blocks of equal size (rounded up to a multiple of 8 for the 8×8 transposes), at most <paramref name="kcMax"/>
    /// plus 7; the blocks depend on k and the machine's KC alone, never on the thread count.
    /// </summary>
    private static int KBlockStep(int k, int kcMax)
    {
        int blocks = (k + kcMax - 1) / kcMax;
        int step = (k + blocks - 1) / blocks;
        return (step + 7) & ~7;
    }

    /// <summary>
    /// How C is cut into parts: contiguous runs of whole strips along M or N; <paramref name="SharedB"/> packs B̃ once for
    /// all parts (<see cref="RunSharedB{TKernel, TPackA}"/>).
    /// </summary>
    internal readonly record struct Split(bool AlongN, int Parts, int RowsPerPart, bool SharedB = false);

    /// <summary>
    /// Chooses the direction (M or N) and the number of parts (threads × 1, 2 or 4) of the split of C. A part costs its
    /// padded multiply-adds, plus packing (about 8 multiply-adds per value: Ã for its rows, B̃ for its columns) or,
    /// where B is read in place, streaming B (about 4). Parts are claimed dynamically, so the time is about
    /// ⌈parts / threads⌉ parts; among plans within 3% of the fastest, the one with most parts wins, because finer
    /// parts let a thread that the machine slows down hand work to the others. An M split whose parts have several row
    /// blocks (so B̃ leaves L1 between its uses anyway) packs B̃ once, shared, at 1/threads of its cost per thread.
    /// </summary>
    internal static Split Plan<TKernel>(int m, int k, int n, bool transB, int threads) where TKernel : unmanaged, IMicroKernel
    {
        const double PackCost = 8, StreamCost = 4, Slack = 1.03;
        int mStrips = (m + TKernel.MR - 1) / TKernel.MR;
        int nStrips = (n + TKernel.NR - 1) / TKernel.NR;
        if (threads == 1)
            return new Split(false, 1, m);

        Span<Split> candidates = stackalloc Split[6];
        Span<double> times = stackalloc double[6];
        int count = 0;
        double best = double.MaxValue;
        for (int direction = 0; direction < 2; direction++)
        {
            bool alongN = direction == 1;
            int strips = alongN ? nStrips : mStrips;
            for (int perThread = 1; perThread <= 4; perThread *= 2)
            {
                int parts = Math.Min(threads * perThread, strips);
                int partStrips = (strips + parts - 1) / parts;
                int rows = alongN ? m : Math.Min(m, partStrips * TKernel.MR);
                int cols = alongN ? Math.Min(n, partStrips * TKernel.NR) : n;
                double paddedRows = (rows + TKernel.MR - 1) / TKernel.MR * TKernel.MR;
                double paddedCols = (cols + TKernel.NR - 1) / TKernel.NR * TKernel.NR;
                bool direct = !transB && rows <= DirectBMaxRows;
                bool shared = !alongN && parts > 1 && !direct && rows > TKernel.MC;
                double columnBlocks = Math.Ceiling(cols / (double)TKernel.NC);
                double packB = (direct ? StreamCost : PackCost) * cols * k;
                double part = paddedRows * paddedCols * k + PackCost * rows * k * columnBlocks + (shared ? 0 : packB);
                double time = (parts + threads - 1) / threads * part + (shared ? packB / threads : 0);
                candidates[count] = new Split(alongN, parts, rows, shared);
                times[count++] = time;
                best = Math.Min(best, time);
            }
        }

        int chosen = -1;
        for (int i = 0; i < count; i++)
        {
            if (times[i] > best * Slack)
                continue;
            if (chosen < 0 || candidates[i].Parts > candidates[chosen].Parts
                || (candidates[i].Parts == candidates[chosen].Parts && times[i] < times[chosen]))
                chosen = i;
        }
        return candidates[chosen];
    }

    /// <summary>One part of a GEMM: a range of whole tiles of C along M or N, over all of K.</summary>
    private unsafe struct GemmJob<TKernel, TPackA> : WorkerPool.IChunkBody
        where TKernel : unmanaged, IMicroKernel where TPackA : unmanaged, IPackA
    {
        // A: the packer of the [M, K] operand; B: [K, N], or [N, K] if TransB; C: [M, N]
        public TPackA A;
        public float* B;
        public float* C;
        public int M;
        public int K;
        public int N;
        public bool TransB;
        public bool Accumulate;
        public bool DirectB;
        public bool SplitN;
        public int Parts;
        public int KcStep;

        // Shared B̃ (RunSharedB): the block pair in hand, whether this run packs its strips (in PackChunks chunks) or
        // multiplies with them, and the buffer they go to.
        public float* SharedPack;
        public BlockPair Block;
        public bool PackingShared;
        public int PackChunks;

        public readonly void Execute(int chunk)
        {
            if (SharedPack != null)
            {
                ExecuteShared(chunk);
                return;
            }
            if (SplitN)
            {
                (int n0, int n1) = StripRange(N, TKernel.NR, chunk, Parts);
                Compute(0, M, n0, n1);
            }
            else
            {
                (int m0, int m1) = PartRows(chunk);
                Compute(m0, m1, 0, N);
            }
        }

        /// <summary>
        /// A chunk of a shared-B̃ run: strips [s0, s1) of the block pair's B̃, or the block pair for the rows of part
        /// <paramref name="chunk"/>.
        /// </summary>
        private readonly void ExecuteShared(int chunk)
        {
            int nr = TKernel.NR;
            if (PackingShared)
            {
                (int j0, int j1) = StripRange(Block.Nc, nr, chunk, PackChunks);
                PackBStrips(Block.Jc, j0, j1, Block.Nc, Block.Pc, Block.Kc, SharedPack);
                return;
            }
            (int m0, int m1) = PartRows(chunk);
            if (m0 >= m1)
                return;
            GemmScratch scratch = GemmScratch.ForCurrentThread();
            float* aPack = scratch.PackedA((nint)RowBlockStep(m1 - m0) * KcStep);
            float* tile = scratch.Tile(TKernel.MR * nr);
            RowBlocks(m0, m1, aPack, SharedPack, false, tile, Block.Jc, Block.Nc, Block.Pc, Block.Kc);
        }

        /// <summary>The rows of part <paramref name="chunk"/> of an M split: whole strips, in part order.</summary>
        private readonly (int M0, int M1) PartRows(int chunk) => StripRange(M, TKernel.MR, chunk, Parts);

        /// <summary>
        /// Chunk <paramref name="chunk"/> of <paramref name="chunks"/> of a length cut into strips of
        /// <paramref name="width"/>: whole strips, in chunk order, the last one clipped to the length.
        /// </summary>
        private static (int Start, int End) StripRange(int length, int width, int chunk, int chunks)
        {
            int strips = (length + width - 1) / width;
            int start = (int)((long)strips * chunk / chunks) * width;
            int end = Math.Min(length, (int)((long)strips * (chunk + 1) / chunks) * width);
            return (start, end);
        }

        /// <summary>
        /// Rows of the Ã blocks of a part of <paramref name="rows"/> rows: as many blocks as MC requires, of equal size
        /// in whole strips, so that no block is a sliver that pulls all of B̃ through L1 for a single strip of A.
        /// </summary>
        private static int RowBlockStep(int rows)
        {
            int mr = TKernel.MR;
            int blocks = (rows + TKernel.MC - 1) / TKernel.MC;
            int strips = (rows + mr - 1) / mr;
            return (strips + blocks - 1) / blocks * mr;
        }

        /// <summary>C[m0..m1, n0..n1] (+)= op(A)[m0..m1, :] · op(B)[:, n0..n1], the loop nest around the micro-kernel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Compute(int m0, int m1, int n0, int n1)
        {
            int mr = TKernel.MR, nr = TKernel.NR;
            if (m0 >= m1 || n0 >= n1)
                return;
            int ncMax = Math.Min(TKernel.NC, (n1 - n0 + nr - 1) / nr * nr);
            GemmScratch scratch = GemmScratch.ForCurrentThread();
            float* aPack = scratch.PackedA((nint)RowBlockStep(m1 - m0) * KcStep);
            float* bPack = scratch.PackedB((nint)ncMax * KcStep);
            float* tile = scratch.Tile(mr * nr);

            // With a single row block, each B̃ strip serves only the Ã strips of that block, so it is packed right
            // before use into one L1-sized slot instead of a whole block that would have to round-trip through L2.
            bool packPerStrip = m1 - m0 <= TKernel.MC;

            for (int jc = n0; jc < n1; jc += TKernel.NC)
            {
                int nc = Math.Min(TKernel.NC, n1 - jc);
                for (int pc = 0; pc < K; pc += KcStep)
                {
                    int kc = Math.Min(KcStep, K - pc);
                    if (!packPerStrip)
                        PackBStrips(jc, 0, nc, nc, pc, kc, bPack);
                    RowBlocks(m0, m1, aPack, bPack, packPerStrip, tile, jc, nc, pc, kc);
                }
            }
        }

        /// <summary>Packs the B̃ strips of columns jc+j0..jc+j1 of block pair (jc, nc, pc, kc) into their places in bPack.</summary>
        // bPack: [nc / NR, kc, NR]
        private readonly void PackBStrips(int jc, int j0, int j1, int nc, int pc, int kc, float* bPack)
        {
            int nr = TKernel.NR;
            for (int jr = j0; jr < j1; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                if (!ReadsBInPlace(cols))
                    PackBStrip(jc + jr, cols, pc, kc, bPack + (nint)jr * kc);
            }
        }

        /// <summary>Rows m0..m1 of one block pair: each Ã block packed, then multiplied with B̃ (<see cref="MacroKernel"/>).</summary>
        // aPack: [RowBlockStep / MR, kc, MR]; bPack: [nc / NR, kc, NR], or one [kc, NR] slot when packPerStrip; tile: [MR, NR]
        private readonly void RowBlocks(int m0, int m1, float* aPack, float* bPack, bool packPerStrip, float* tile,
            int jc, int nc, int pc, int kc)
        {
            // beta = 0 overwrites C with the first K block (so NaN or garbage in C is never read); later blocks add.
            bool accumulate = Accumulate || pc > 0;
            int step = RowBlockStep(m1 - m0);
            for (int ic = m0; ic < m1; ic += step)
            {
                int mc = Math.Min(step, m1 - ic);

                // Ã: a dense A[k, m] (TN) is copied, A[m, k] transposed; a convolution gathers its patches.
                A.Pack(ic, mc, pc, kc, TKernel.MR, aPack);

                MacroKernel(aPack, bPack, packPerStrip, tile, ic, mc, jc, nc, pc, kc, accumulate);
            }
        }

        /// <summary>A full-width strip of B[k, n] (NN, TN) with few rows of A is read where it lies, row stride N.</summary>
        private readonly bool ReadsBInPlace(int cols) => DirectB && cols == TKernel.NR;

        /// <summary>
        /// Packs the B̃ strip of columns j0..j0+cols of K block pc: B[n, k] (NT) is transposed, B[k, n] is copied;
        /// columns past <paramref name="cols"/> are zero.
        /// </summary>
        // strip: [kc, NR]
        private readonly void PackBStrip(int j0, int cols, int pc, int kc, float* strip)
        {
            if (TransB)
                GemmPacking.PackLanesAlongK(B + (nint)j0 * K + pc, K, cols, kc, TKernel.NR, strip);
            else
                GemmPacking.PackLanesAcrossK(B + (nint)pc * N + j0, N, cols, kc, TKernel.NR, strip);
        }

        /// <summary>All MR × NR tiles of one block pair; each B̃ strip stays in L1 while the Ã strips stream past it.</summary>
        // aPack: [mc / MR, kc, MR]; bPack: [nc / NR, kc, NR], or one [kc, NR] slot when packPerStrip; tile: [MR, NR]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void MacroKernel(float* aPack, float* bPack, bool packPerStrip, float* tile, int ic, int mc, int jc,
            int nc, int pc, int kc, bool accumulate)
        {
            int mr = TKernel.MR, nr = TKernel.NR;
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* bp;
                nint ldb = nr;
                if (ReadsBInPlace(cols))
                {
                    bp = B + (nint)pc * N + jc + jr;
                    ldb = N;
                }
                else if (packPerStrip)
                {
                    bp = bPack;
                    PackBStrip(jc + jr, cols, pc, kc, bp);
                }
                else
                {
                    bp = bPack + (nint)jr * kc;
                }

                for (int ir = 0; ir < mc; ir += mr)
                {
                    int rows = Math.Min(mr, mc - ir);
                    float* ap = aPack + (nint)ir * kc;
                    float* cp = C + (nint)(ic + ir) * N + jc + jr;
                    if (rows == mr && cols == nr)
                    {
                        TKernel.Run(ap, bp, ldb, kc, cp, N, accumulate);
                    }
                    else
                    {
                        // Edge tile: the kernel fills a tile in scratch (half a tile if the real columns fit) and only the
                        // valid part reaches C, with the same C + acc as a full tile so edges round like the interior.
                        if (cols <= nr / 2)
                            TKernel.RunHalf(ap, bp, ldb, kc, tile, nr);
                        else
                            TKernel.Run(ap, bp, ldb, kc, tile, nr, false);
                        for (int r = 0; r < rows; r++)
                            AddBack(tile + r * nr, cols, accumulate, cp + (nint)r * N);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One row of an edge tile into C: <c>to = from</c> or <c>to = to + from</c> for the first <paramref name="cols"/>
    /// values; C is neither read nor written past them, so the tile's padding never leaks past the matrix.
    /// </summary>
    // from: [cols] row of the scratch tile, readable up to a whole 8-float vector; to: [cols]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void AddBack(float* from, int cols, bool accumulate, float* to)
    {
        if (Avx.IsSupported)
            AddBackAvx(from, cols, accumulate, to);
        else
            AddBackPortable(from, cols, accumulate, to);
    }

    /// <summary><see cref="AddBack"/> with 8-float vectors and a masked last one; needs AVX.</summary>
    // from: [cols] row of the scratch tile, readable up to a whole 8-float vector; to: [cols]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void AddBackAvx(float* from, int cols, bool accumulate, float* to)
    {
        int j = 0;
        for (; j + 8 <= cols; j += 8)
        {
            Vector256<float> v = Avx.LoadVector256(from + j);
            Avx.Store(to + j, accumulate ? v + Avx.LoadVector256(to + j) : v);
        }
        if (j < cols)
        {
            // Masked lanes of C are neither read nor written.
            Vector256<float> mask = GemmPacking.LaneMask(cols - j);
            Vector256<float> v = Avx.LoadVector256(from + j);
            Avx.MaskStore(to + j, mask, accumulate ? v + Avx.MaskLoad(to + j, mask) : v);
        }
    }

    /// <summary><see cref="AddBack"/> with whole 4-float vectors, then value by value up to <paramref name="cols"/>.</summary>
    // from: [cols]; to: [cols]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void AddBackPortable(float* from, int cols, bool accumulate, float* to)
    {
        int j = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; j + 4 <= cols; j += 4)
            {
                Vector128<float> v = Vector128.Load(from + j);
                (accumulate ? v + Vector128.Load(to + j) : v).Store(to + j);
            }
        }
        for (; j < cols; j++)
            to[j] = accumulate ? to[j] + from[j] : from[j];
    }

    /// <summary>
    /// Per-thread packing buffers, 64-byte aligned native memory that grows when a larger block needs it and is
    /// freed when the thread ends (the holder is then unreachable and finalized).
    /// </summary>
    private sealed unsafe class GemmScratch
    {
        [ThreadStatic]
        private static GemmScratch? t_current;

        private Buffer _a;
        private Buffer _b;
        private Buffer _sharedB;
        private Buffer _tile;

        ~GemmScratch()
        {
            _a.Free();
            _b.Free();
            _sharedB.Free();
            _tile.Free();
        }

        public static GemmScratch ForCurrentThread() => t_current ??= new GemmScratch();

        public float* PackedA(nint floats) => _a.Ensure(floats);

        public float* PackedB(nint floats) => _b.Ensure(floats);

        /// <summary>The B̃ block that a shared-B̃ run, started on this thread, packs for all of its parts.</summary>
        public float* SharedB(nint floats) => _sharedB.Ensure(floats);

        public float* Tile(nint floats) => _tile.Ensure(floats);

        private struct Buffer
        {
            private float* _pointer;
            private nint _capacity;

            public float* Ensure(nint floats)
            {
                if (floats > _capacity)
                {
                    Free();
                    _pointer = (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
                    _capacity = floats;
                }
                return _pointer;
            }

            public void Free()
            {
                if (_pointer != null)
                    NativeMemory.AlignedFree(_pointer);
                _pointer = null;
                _capacity = 0;
            }
        }
    }
}
