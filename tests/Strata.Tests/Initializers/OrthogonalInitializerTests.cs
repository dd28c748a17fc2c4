namespace Strata.Tests;

public class OrthogonalInitializerTests
{
    /// <summary>Gram matrix of the rows (byRows) or columns of a [rows, cols] matrix, in double.</summary>
    private static double[,] Gram(float[] m, int rows, int cols, bool byRows)
    {
        int count = byRows ? rows : cols, length = byRows ? cols : rows;
        var g = new double[count, count];
        for (int a = 0; a < count; a++)
            for (int b = 0; b < count; b++)
            {
                double sum = 0;
                for (int k = 0; k < length; k++)
                    sum += byRows ? (double)m[a * cols + k] * m[b * cols + k] : (double)m[k * cols + a] * m[k * cols + b];
                g[a, b] = sum;
            }
        return g;
    }

    [Theory]
    [InlineData(new[] { 8, 8 })]      // square: orthogonal
    [InlineData(new[] { 12, 5 })]     // tall: orthonormal columns
    [InlineData(new[] { 4, 16 })]     // wide (an LSTM's recurrent kernel): orthonormal rows
    [InlineData(new[] { 3, 2, 4, 5 })] // rank 4: viewed as [24, 5]
    [InlineData(new[] { 1, 7 })]
    public void Columns_or_rows_are_orthonormal(int[] dims)
    {
        var shape = new Shape(dims);
        int cols = dims[^1], rows = shape.Size / cols;
        var v = new float[shape.Size];
        Initializers.Get("orthogonal").Fill(shape, new Random(2), v);
        var g = Gram(v, rows, cols, byRows: rows < cols);
        for (int a = 0; a < g.GetLength(0); a++)
            for (int b = 0; b < g.GetLength(0); b++)
                Assert.Equal(a == b ? 1.0 : 0.0, g[a, b], 5);
    }

    [Fact]
    public void Gain_scales_and_seeds_repeat_and_differ()
    {
        var shape = new Shape(6, 6);
        float[] Draw(Initializer init, int seed)
        {
            var v = new float[36];
            init.Fill(shape, new Random(seed), v);
            return v;
        }
        var one = Draw(Initializers.Orthogonal, 5);
        Assert.Equal(one, Draw(Initializers.Orthogonal, 5));
        Assert.NotEqual(one, Draw(Initializers.Orthogonal, 6));
        var two = Draw(Initializers.OrthogonalWith(2.0), 5);
        for (int i = 0; i < 36; i++) Assert.Equal(2 * one[i], two[i], 5);
        Assert.Same(Initializers.Orthogonal, Initializers.Get("orthogonal"));
        Assert.Equal("orthogonal", Initializers.Orthogonal.Name);
    }

    [Fact]
    public void The_distribution_is_not_biased_in_sign()
    {
        // Without the sign correction by diag(R) (Householder QR) the diagonal leans one way; with it, Q is Haar-uniform
        // and each diagonal entry has mean 0. Over many draws the mean of Q[0, 0] stays near 0.
        double sum = 0;
        var v = new float[16];
        var random = new Random(11);
        for (int i = 0; i < 2000; i++)
        {
            Initializers.Orthogonal.Fill(new Shape(4, 4), random, v);
            sum += v[0];
        }
        Assert.InRange(sum / 2000, -0.05, 0.05);
    }

    [Fact]
    public void Vectors_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Initializers.Orthogonal.Fill(new Shape(5), new Random(1), new float[5]));
        Assert.Contains("rank 2", e.Message);
    }
}
