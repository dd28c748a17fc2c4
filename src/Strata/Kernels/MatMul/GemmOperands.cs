namespace Strata.Kernels.MatMul;

/// <summary>
/// A source of the GEMM's A operand that writes the packed Ã strips itself, so an A that is never stored as a matrix
/// (the patches of a convolution) can feed the same loop nest, micro-kernels and B packing as a dense one.
/// </summary>
/// <remarks>
/// <see cref="Pack"/> must write exactly the layout of <see cref="GemmPacking"/>: strip s holds rows
/// i0 + s·width .. i0 + s·width + width − 1, stored k-major (<c>dst[s·kc·width + p·width + lane] = A[i0 + s·width + lane,
/// p0 + p]</c>), lanes past the last row zero. It runs on any worker thread, concurrently with other calls on
/// other blocks, so it must only read shared state; its values must depend on (row, k) alone, never on the block
/// boundaries, so that the product does not depend on the blocking or the thread count.
/// </remarks>
internal unsafe interface IPackA
{
    /// <summary>Writes Ã for rows [i0, i0 + rows) and K steps [p0, p0 + kc) into <paramref name="dst"/>.</summary>
    // dst: [ceil(rows / width), kc, width]
    void Pack(int i0, int rows, int p0, int kc, int width, float* dst);
}

/// <summary>
/// A dense, row-major A: [m, k] packed by <see cref="GemmPacking.PackLanesAlongK"/> (NN, NT) or, transposed, [k, m]
/// packed by <see cref="GemmPacking.PackLanesAcrossK"/> (TN), as the GEMM has always packed it.
/// </summary>
internal readonly unsafe struct DenseA : IPackA
{
    // a: [m, k], or [k, m] if transposed
    private readonly float* _a;
    private readonly bool _transposed;
    private readonly int _m;
    private readonly int _k;

    /// <summary>A of <paramref name="m"/> rows and <paramref name="k"/> columns, stored transposed if asked.</summary>
    // a: [m, k], or [k, m] if transposed
    public DenseA(float* a, bool transposed, int m, int k)
    {
        _a = a;
        _transposed = transposed;
        _m = m;
        _k = k;
    }

    /// <inheritdoc/>
    // dst: [ceil(rows / width), kc, width]
    public void Pack(int i0, int rows, int p0, int kc, int width, float* dst)
    {
        if (_transposed)
            GemmPacking.PackLanesAcrossK(_a + (nint)p0 * _m + i0, _m, rows, kc, width, dst);
        else
            GemmPacking.PackLanesAlongK(_a + (nint)i0 * _k + p0, _k, rows, kc, width, dst);
    }
}
