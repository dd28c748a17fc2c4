using Strata.Kernels;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>
/// AGC's kernels at every width against plain loops, bit for bit: each unit sums its rows in row order in double,
/// where a float's square is exact, so no width may round differently.
/// </summary>
public class UnitwiseClipKernelsTests
{
    private static float[] Values(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Unit_sums_of_squares_run_down_the_columns_in_row_order(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int units in Widths.AwkwardLengths.Where(n => n > 0))
            foreach (int rows in new[] { 1, 3, 7 })
            {
                var random = new Random(units * 10 + rows);
                float[] w = Values(random, rows * units), g = Values(random, rows * units);
                var sums = new double[2 * units];
                sums[0] = 0.5; // the kernel adds to what is there
                var expected = (double[])sums.Clone();
                for (int r = 0; r < rows; r++)
                    for (int u = 0; u < units; u++)
                    {
                        expected[u] += (double)w[r * units + u] * w[r * units + u];
                        expected[units + u] += (double)g[r * units + u] * g[r * units + u];
                    }
                UnitwiseClipKernels.AccumulateUnitSquares(w, g, sums);
                Assert.Equal(expected, sums);
            }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Scaling_multiplies_each_column_by_its_unit_scale(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int units in Widths.AwkwardLengths.Where(n => n > 0))
        {
            var random = new Random(units);
            float[] g = Values(random, 3 * units), scales = Values(random, units);
            var expected = g.Select((v, i) => v * scales[i % units]).ToArray();
            UnitwiseClipKernels.ScaleUnits(g, scales);
            Assert.Equal(expected, g);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void One_element_units_clamp_to_lambda_times_the_floored_weight(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {
            var random = new Random(n);
            float[] w = Values(random, n), g = Values(random, n);
            if (n > 2) w[n / 2] = 0f; // the floor ε applies
            var expected = g.Select((v, i) =>
            {
                float c = 0.3f * MathF.Max(MathF.Abs(w[i]), 1e-3f);
                return Math.Clamp(v, -c, c);
            }).ToArray();
            UnitwiseClipKernels.ClampToWeights(w, g, 0.3f, 1e-3f);
            Assert.Equal(expected, g);
        }
    }

    [Fact]
    public void Unit_scales_follow_the_formula_on_hand_computed_sums()
    {
        // Two parts of a weight with three units, added in part order. λ = 0.1, ε = 1e-3.
        // Unit 0: ‖W‖ = √(4 + 5) = 3, limit 0.3; ‖G‖ = √(0.09 + 0.16) = 0.5 > 0.3 → scale 0.6.
        // Unit 1: ‖W‖ = 5, limit 0.5; ‖G‖ = 0.3 ≤ 0.5 → 1.
        // Unit 2: W = 0, floored: limit 0.1·1e-3 = 1e-4; ‖G‖ = 2 → scale 5e-5.
        double[] sums =
        [
            4, 9, 0, /* ΣW² part 0 */ 0.09, 0.04, 1, // ΣG² part 0
            5, 16, 0, /* ΣW² part 1 */ 0.16, 0.05, 3, // ΣG² part 1
        ];
        var scales = new float[3];
        UnitwiseClipKernels.UnitScales(sums, 2, 0.1f, 1e-3f, scales);
        Assert.Equal(0.6f, scales[0], 1e-6f);
        Assert.Equal(1f, scales[1]);
        Assert.Equal(5e-5f, scales[2], 1e-10f);

        // A zero gradient keeps scale 1, never 0/0.
        UnitwiseClipKernels.UnitScales([0, 0], 1, 0.1f, 1e-3f, scales.AsSpan(0, 1));
        Assert.Equal(1f, scales[0]);
    }

    [Fact]
    public void Spans_that_do_not_fit_are_refused()
    {
        Assert.Throws<ArgumentException>(() => UnitwiseClipKernels.AccumulateUnitSquares(new float[6], new float[6], new double[8]));
        Assert.Throws<ArgumentException>(() => UnitwiseClipKernels.AccumulateUnitSquares(new float[6], new float[5], new double[4]));
        Assert.Throws<ArgumentException>(() => UnitwiseClipKernels.ScaleUnits(new float[7], new float[2]));
        Assert.Throws<ArgumentException>(() => UnitwiseClipKernels.UnitScales(new double[5], 1, 0.1f, 1e-3f, new float[3]));
        Assert.Throws<ArgumentException>(() => UnitwiseClipKernels.ClampToWeights(new float[2], new float[3], 0.1f, 1e-3f));
    }
}
