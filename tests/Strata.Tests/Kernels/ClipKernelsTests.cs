using Strata.Kernels;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>The clipping reductions at every width against plain double sums.</summary>
public class ClipKernelsTests
{
    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Sum_of_squares_keeps_double_precision_at_every_width(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths.Append(1_000_000))
        {
            var random = new Random(n);
            var g = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            double expected = g.Sum(v => (double)v * v);
            double actual = ClipKernels.SumOfSquares(g);
            Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, expected), $"n = {n}: {actual} vs {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Non_finite_values_reach_the_sum(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in new[] { 1, 5, 17, 40 })
        {
            var g = new float[n];
            g[n - 1] = float.NaN;
            Assert.True(double.IsNaN(ClipKernels.SumOfSquares(g)));
            g[n - 1] = float.PositiveInfinity;
            Assert.True(double.IsPositiveInfinity(ClipKernels.SumOfSquares(g)));
        }
    }
}
