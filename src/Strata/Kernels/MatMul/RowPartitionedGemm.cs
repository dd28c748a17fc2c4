using Strata.Kernels.Parallel;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The three products of a Dense layer with the weight W[k, n] split by rows across threads
/// (<see cref="RowPartition"/>), each part always on the same thread (<see cref="WorkerPool.RunPinned"/>):
/// forward splits the inner dimension k and sums the parts, the weight gradient and the input gradient split
/// their outputs. The forward sum runs in part order, so a result depends on the number of parts only
/// through float rounding.
/// </summary>
internal static unsafe class RowPartitionedGemm
{
    /// <summary>
    /// zParts[p] = x[:, k_p] · W[k_p, :], copying x's column block k_p into xParts (rows × k_p, contiguous, in part
    /// order) for the backward pass.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int rows, int k, int n, int parts,
        Span<float> xParts, Span<float> zParts)
    {
        // x, xParts: [rows, k]; w: [k, n]; zParts: [parts, rows, n]
        Check(x.Length >= rows * k && w.Length >= k * n && xParts.Length >= rows * k && zParts.Length >= parts * rows * n);
        fixed (float* px = x, pw = w, pxp = xParts, pz = zParts)
        {
            var body = new Body { Op = 0, A = px, B = pw, C = pxp, D = pz, Rows = rows, K = k, N = n, Parts = parts };
            WorkerPool.RunPinned(parts, ref body);
        }
    }

    /// <summary>dW[k_p, :] += xParts_pᵀ · dZ.</summary>
    public static void WeightGradient(ReadOnlySpan<float> xParts, ReadOnlySpan<float> dZ, int rows, int k, int n, int parts, Span<float> dW)
    {
        // xParts: [rows, k] in part blocks; dZ: [rows, n]; dW: [k, n]
        Check(xParts.Length >= rows * k && dZ.Length >= rows * n && dW.Length >= k * n);
        fixed (float* pxp = xParts, pdz = dZ, pdw = dW)
        {
            var body = new Body { Op = 1, A = pxp, B = pdz, C = pdw, Rows = rows, K = k, N = n, Parts = parts };
            WorkerPool.RunPinned(parts, ref body);
        }
    }

    /// <summary>dX[:, k_p] = dZ · W[k_p, :]ᵀ, through a part-blocked scratch.</summary>
    public static void InputGradient(ReadOnlySpan<float> dZ, ReadOnlySpan<float> w, int rows, int k, int n, int parts,
        Span<float> scratch, Span<float> dX)
    {
        // dZ: [rows, n]; w: [k, n]; scratch: [rows, k] in part blocks; dX: [rows, k]
        Check(dZ.Length >= rows * n && w.Length >= k * n && scratch.Length >= rows * k && dX.Length >= rows * k);
        fixed (float* pdz = dZ, pw = w, ps = scratch, pdx = dX)
        {
            var body = new Body { Op = 2, A = pdz, B = pw, C = ps, D = pdx, Rows = rows, K = k, N = n, Parts = parts };
            WorkerPool.RunPinned(parts, ref body);
        }
    }

    private static void Check(bool ok)
    {
        if (!ok) throw new ArgumentException("A row-partitioned product got spans shorter than its dimensions.");
    }

    private struct Body : WorkerPool.IChunkBody
    {
        public int Op;
        public float* A, B, C, D;
        public int Rows, K, N, Parts;

        public readonly void Execute(int part)
        {
            var (k0, kp) = RowPartition.Rows(K, Parts, part);
            if (kp == 0) return;
            int rows = Rows, n = N;
            long block = (long)rows * k0; // this part's block in a part-blocked [rows, k] buffer
            switch (Op)
            {
                case 0:
                {
                    var xPart = new Span<float>(C + block, rows * kp);
                    for (int r = 0; r < rows; r++)
                        new ReadOnlySpan<float>(A + (long)r * K + k0, kp).CopyTo(xPart.Slice(r * kp, kp));
                    Gemm.NN(xPart, new ReadOnlySpan<float>(B + (long)k0 * n, kp * n), rows, kp, n, 0f,
                        new Span<float>(D + (long)part * rows * n, rows * n));
                    break;
                }
                case 1:
                    Gemm.TN(new ReadOnlySpan<float>(A + block, rows * kp), new ReadOnlySpan<float>(B, rows * n), kp, rows, n, 1f,
                        new Span<float>(C + (long)k0 * n, kp * n));
                    break;
                case 2:
                {
                    var dxPart = new Span<float>(C + block, rows * kp);
                    Gemm.NT(new ReadOnlySpan<float>(A, rows * n), new ReadOnlySpan<float>(B + (long)k0 * n, kp * n), rows, n, kp, 0f, dxPart);
                    for (int r = 0; r < rows; r++)
                        dxPart.Slice(r * kp, kp).CopyTo(new Span<float>(D + (long)r * K + k0, kp));
                    break;
                }
            }
        }
    }
}
