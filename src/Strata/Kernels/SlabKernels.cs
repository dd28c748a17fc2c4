using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Strata.Kernels;

/// <summary>
/// Memory-bound passes over the parameter and gradient slabs (≈1 MB each for the texts' MLP), split into
/// fixed chunks of 32K values on the worker pool: each core streams its share through its own L2, which
/// roughly halves these passes on two cores. Chunks depend only on the length, so sums are combined in the
/// same order whatever the thread count.
/// </summary>
internal static unsafe class SlabKernels
{
    private const int ChunkLength = 1 << 15;
    private const int MaxChunksOnStack = 1024;

    /// <summary>Σx², accumulated per chunk in double and combined in chunk order; NaN or ∞ if any value is.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        int chunks = Chunks(x.Length);
        if (chunks <= 1) return TensorPrimitives.SumOfSquares(x);
        if (chunks > MaxChunksOnStack) throw new ArgumentException($"A slab of {x.Length} values is too long for one pass.", nameof(x));
        double* partial = stackalloc double[chunks];
        fixed (float* px = x)
        {
            var body = new Body { Op = SlabOp.SumOfSquares, A = px, Length = x.Length, Partial = partial };
            WorkerPool.Run(chunks, ref body);
        }
        double sum = 0;
        for (int i = 0; i < chunks; i++) sum += partial[i];
        return sum;
    }

    /// <summary>x ← 0.</summary>
    public static void Clear(Span<float> x)
    {
        fixed (float* px = x)
        {
            var body = new Body { Op = SlabOp.Clear, A = px, Length = x.Length };
            WorkerPool.Run(Chunks(x.Length), ref body);
        }
    }

    /// <summary>Plain SGD: w ← w − η·g.</summary>
    public static void Sgd(ReadOnlySpan<float> gradients, float learningRate, Span<float> parameters)
    {
        CheckLengths(gradients.Length, parameters.Length, parameters.Length);
        fixed (float* pg = gradients, pw = parameters)
        {
            var body = new Body { Op = SlabOp.Sgd, A = pg, B = pw, Length = gradients.Length, LearningRate = learningRate };
            WorkerPool.Run(Chunks(gradients.Length), ref body);
        }
    }

    /// <summary>SGD with momentum, chunk by chunk through <see cref="OptimizerKernels.SgdMomentum"/>.</summary>
    public static void SgdMomentum(ReadOnlySpan<float> gradients, float learningRate, float momentum, bool nesterov,
        Span<float> velocity, Span<float> parameters)
    {
        CheckLengths(gradients.Length, velocity.Length, parameters.Length);
        fixed (float* pg = gradients, pv = velocity, pw = parameters)
        {
            var body = new Body
            {
                Op = SlabOp.SgdMomentum, A = pg, B = pw, C = pv, Length = gradients.Length,
                LearningRate = learningRate, Momentum = momentum, Nesterov = nesterov,
            };
            WorkerPool.Run(Chunks(gradients.Length), ref body);
        }
    }

    private static int Chunks(int length) => (length + ChunkLength - 1) / ChunkLength;

    private static void CheckLengths(int a, int b, int c)
    {
        if (a != b || a != c) throw new ArgumentException($"Slab spans differ in length: {a}, {b}, {c}.");
    }

    private enum SlabOp { SumOfSquares, Clear, Sgd, SgdMomentum }

    private struct Body : WorkerPool.IChunkBody
    {
        public SlabOp Op;
        public float* A, B, C;
        public double* Partial;
        public int Length;
        public float LearningRate, Momentum;
        public bool Nesterov;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int chunk)
        {
            int start = chunk * ChunkLength, count = Math.Min(ChunkLength, Length - start);
            var a = new Span<float>(A + start, count);
            switch (Op)
            {
                case SlabOp.SumOfSquares:
                    Partial[chunk] = TensorPrimitives.SumOfSquares<float>(a);
                    break;
                case SlabOp.Clear:
                    a.Clear();
                    break;
                case SlabOp.Sgd:
                    OptimizerKernels.Sgd(a, LearningRate, new Span<float>(B + start, count));
                    break;
                case SlabOp.SgdMomentum:
                    OptimizerKernels.SgdMomentum(a, LearningRate, Momentum, Nesterov, new Span<float>(C + start, count), new Span<float>(B + start, count));
                    break;
            }
        }
    }
}
