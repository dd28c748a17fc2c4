namespace Strata;

/// <summary>
/// Keras's Orthogonal (Saxe et al. 2014): the weight, viewed as a matrix [rows, cols] with rows the product of the
/// leading dimensions, gets orthonormal columns (rows ≥ cols) or orthonormal rows (rows &lt; cols), times a gain.
/// As in Keras, a normal matrix A [max(rows, cols), min(rows, cols)] is factored A = QR, Q's columns are multiplied
/// by sign(diag R) so the factorization is the unique one with a positive diagonal (otherwise Q would not be
/// uniformly distributed), and Q (or Qᵀ when rows &lt; cols) is reshaped to the weight's shape.
/// </summary>
/// <remarks>
/// The factorization is Gram–Schmidt in double, each column orthogonalized twice against the previous ones
/// ("twice is enough", Giraud et al. 2005). Gram–Schmidt's R has the norms of the projected columns on its diagonal,
/// which are positive, so its Q already is the sign-corrected Q.
/// </remarks>
internal sealed class OrthogonalInitializer(double gain) : Initializer
{
    public override string Name => "orthogonal";

    /// <summary>The factor applied to the orthogonal matrix; 1 by default.</summary>
    public double Gain => gain;

    public override void Fill(Shape shape, Random random, Span<float> values)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"The orthogonal initializer needs a weight of rank 2 or more; got shape {shape}.", nameof(shape));
        int cols = shape[^1], rows = shape.Size / Math.Max(cols, 1);
        if (rows == 0 || cols == 0) return;
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        // q: [m, n], row-major, filled with normal draws and orthonormalized column by column.
        var q = new double[m * n];
        for (int i = 0; i < q.Length; i++) q[i] = Initializers.NextGaussian(random);
        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[i * n + p] * q[i * n + j];
                    for (int i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + p];
                }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.Sqrt(norm);
            if (norm == 0) throw new InvalidOperationException("The orthogonal initializer drew a singular matrix."); // probability zero
            for (int i = 0; i < m; i++) q[i * n + j] /= norm;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                values[r * cols + c] = (float)(gain * (rows >= cols ? q[r * n + c] : q[c * n + r]));
    }
}
