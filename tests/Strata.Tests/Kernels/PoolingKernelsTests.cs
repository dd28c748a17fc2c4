using Strata.Kernels;
using Strata.Kernels.Reference;
using Strata.Tests.Kernels.Simd;

namespace Strata.Tests.Kernels;

/// <summary>
/// The pooling kernels at every width against their scalar twins on many geometries (channel counts that fill no,
/// some or several vectors with ragged tails; square and rectangular windows and strides; valid and same padding;
/// one and three images), with NaN and ±∞ among the inputs; and the max-pooling rules checked directly.
/// </summary>
public class PoolingKernelsTests
{
    private static readonly int[] Channels = [1, 3, 4, 5, 8, 15, 16, 17, 33, 64];

    /// <summary>Every geometry of the grid: pools (2, 2), (3, 3), (2, 3); strides 1, 2, (1, 2); valid and same; batch 1 and 3; a 7×6 image.</summary>
    private static IEnumerable<ConvGeometry> Geometries()
    {
        foreach (int c in Channels)
            foreach (var (kh, kw) in new[] { (2, 2), (3, 3), (2, 3) })
                foreach (var (sh, sw) in new[] { (1, 1), (2, 2), (1, 2) })
                    foreach (bool same in new[] { false, true })
                        foreach (int batch in new[] { 1, 3 })
                            yield return Geometry(batch, 7, 6, c, kh, kw, sh, sw, same);
    }

    private static ConvGeometry Geometry(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, bool same)
    {
        var (oh, ph) = ConvKernels.Axis(h, kh, sh, 1, same);
        var (ow, pw) = ConvKernels.Axis(w, kw, sw, 1, same);
        return new ConvGeometry(batch, h, w, c, kh, kw, sh, sw, 1, 1, oh, ow, ph, pw);
    }

    private static int InputLength(in ConvGeometry g) => g.Batch * g.InH * g.InW * g.Channels;

    private static int OutputLength(in ConvGeometry g) => g.Batch * g.OutH * g.OutW * g.Channels;

    /// <summary>
    /// Few distinct values, so windows hold ties, and one in five a special (NaN, +∞, −∞), so windows hold several
    /// NaNs, or only −∞, or a NaN after the maximum.
    /// </summary>
    private static float[] TiedValues(int n, int seed)
    {
        var random = new Random(seed);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = random.Next(5) == 0 ? specials[random.Next(specials.Length)] : random.Next(-2, 3);
        return v;
    }

    private static float[] Values(int n, int seed, bool specials = false)
    {
        var random = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = specials && random.Next(40) == 0 ? (random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity)
                : (float)(random.NextDouble() * 8 - 4);
        return v;
    }

    /// <summary>Equal values (the kernels compute the twins' formulas in the same order), or both NaN.</summary>
    private static void Same(string what, ConvGeometry g, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i] || (float.IsNaN(expected[i]) && float.IsNaN(actual[i])),
                $"{what}[{i}] for {g}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Max_pooling_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        int seed = 0;
        foreach (var g in Geometries())
        {
            float[] x = TiedValues(InputLength(g), ++seed), dy = Values(OutputLength(g), seed + 5000);
            float[] y = new float[OutputLength(g)], yRef = new float[y.Length];
            int[] argmax = new int[y.Length], argmaxRef = new int[y.Length];
            PoolingKernels.MaxForward(x, g, y, argmax);
            ReferencePoolingKernels.MaxForward(x, g, yRef, argmaxRef);
            Same("y", g, yRef, y);
            Assert.Equal(argmaxRef, argmax);

            float[] dx = Values(x.Length, seed), dxRef = new float[x.Length];
            PoolingKernels.MaxBackward(dy, argmax, dx);
            ReferencePoolingKernels.MaxBackward(dy, argmaxRef, dxRef);
            Same("dX", g, dxRef, dx);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Average_pooling_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        int seed = 0;
        foreach (var g in Geometries())
        {
            float[] x = Values(InputLength(g), ++seed, specials: true), dy = Values(OutputLength(g), seed + 5000, specials: true);
            float[] y = new float[OutputLength(g)], yRef = new float[y.Length];
            PoolingKernels.Average(x, g, y, backward: false);
            ReferencePoolingKernels.Average(x, g, yRef, backward: false);
            Same("y", g, yRef, y);

            float[] dx = Values(x.Length, seed), dxRef = new float[x.Length];
            PoolingKernels.Average(dy, g, dx, backward: true);
            ReferencePoolingKernels.Average(dy, g, dxRef, backward: true);
            Same("dX", g, dxRef, dx);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Global_average_pooling_matches_its_twin(int lanes)
    {
        using var forced = Widths.Force(lanes);
        int seed = 0;
        foreach (int c in Channels)
            foreach (var (h, w) in new[] { (1, 1), (2, 3), (4, 5), (7, 7) })
                foreach (int batch in new[] { 1, 3 })
                {
                    var g = new ConvGeometry(batch, h, w, c, h, w, 1, 1, 1, 1, 1, 1, 0, 0);
                    float[] x = Values(batch * h * w * c, ++seed, specials: true), dy = Values(batch * c, seed + 5000);
                    float[] y = new float[batch * c], yRef = new float[y.Length];
                    PoolingKernels.GlobalAverage(x, batch, h, w, c, y);
                    ReferencePoolingKernels.GlobalAverage(x, batch, h, w, c, yRef);
                    Same("y", g, yRef, y);

                    float[] dx = Values(x.Length, seed), dxRef = new float[x.Length];
                    PoolingKernels.GlobalAverageBackward(dy, batch, h, w, c, dx);
                    ReferencePoolingKernels.GlobalAverageBackward(dy, batch, h, w, c, dxRef);
                    Same("dX", g, dxRef, dx);
                }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Max_pooling_keeps_the_first_maximum_and_the_first_NaN(int lanes)
    {
        using var forced = Widths.Force(lanes);
        // One 2×2 window (cells 0..3 in window order) over 20 channels, so vectors and the tail both see each case.
        const int c = 20;
        float nan = float.NaN, inf = float.PositiveInfinity, ninf = float.NegativeInfinity;
        (float[] Cells, float Max, int Cell)[] cases =
        [
            ([1, 5, 5, 2], 5, 1),           // a tie: the first
            ([ninf, ninf, ninf, ninf], ninf, 0), // only −∞: still the first cell
            ([3, nan, 7, nan], nan, 1),     // NaN wins over later larger values; the first of two NaNs
            ([nan, inf, nan, 2], nan, 0),   // a NaN first stays
            ([inf, 1, inf, nan], nan, 3),   // a NaN after the maximum still wins
            ([-0f, 0f, 1, 1], 1, 2),
            ([2, 2, 2, 2], 2, 0),
        ];
        var g = Geometry(1, 2, 2, c, 2, 2, 2, 2, same: false);
        var x = new float[4 * c];
        for (int ch = 0; ch < c; ch++)
            for (int cell = 0; cell < 4; cell++) x[cell * c + ch] = cases[ch % cases.Length].Cells[cell];
        float[] y = new float[c];
        int[] argmax = new int[c];
        PoolingKernels.MaxForward(x, g, y, argmax);
        for (int ch = 0; ch < c; ch++)
        {
            var (_, max, cell) = cases[ch % cases.Length];
            Assert.True(max.Equals(y[ch]), $"channel {ch}: expected {max}, got {y[ch]}");
            Assert.Equal(cell * c + ch, argmax[ch]);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void An_empty_window_gives_zero_and_no_gradient(int lanes)
    {
        using var forced = Widths.Force(lanes);
        // A 1×1 window over a 2×2 image padded by 1 on each side: the border outputs of the 4×4 output see only padding.
        const int c = 19;
        var g = new ConvGeometry(1, 2, 2, c, 1, 1, 1, 1, 1, 1, 4, 4, 1, 1);
        float[] x = Values(4 * c, 1), y = new float[16 * c], dy = Values(16 * c, 2), dx = new float[4 * c];
        int[] argmax = new int[16 * c];
        PoolingKernels.MaxForward(x, g, y, argmax);
        for (int o = 0; o < 16; o++)
        {
            bool inside = o / 4 is 1 or 2 && o % 4 is 1 or 2;
            for (int ch = 0; ch < c; ch++)
            {
                int at = inside ? ((o / 4 - 1) * 2 + o % 4 - 1) * c + ch : -1;
                Assert.Equal(at, argmax[o * c + ch]);
                Assert.Equal(inside ? x[at] : 0f, y[o * c + ch]);
            }
        }
        PoolingKernels.MaxBackward(dy, argmax, dx);
        for (int i = 0; i < dx.Length; i++) Assert.Equal(dy[((i / c / 2 + 1) * 4 + i / c % 2 + 1) * c + i % c], dx[i]);
        PoolingKernels.Average(x, g, y, backward: false);
        Assert.Equal(0f, y[0]);
        PoolingKernels.Average(dy, g, dx, backward: true);
        Assert.Equal(dy[5 * c], dx[0]); // cell (0, 0) is inside output (1, 1) only
    }

    [Fact]
    public void Max_pooling_indices_stay_exact_beyond_2_to_the_24()
    {
        // A 1025×1025×16 image (16.8M values): the windows at the far corner have flat indices above 2²⁴ =
        // 16,777,216, where floats hold only even integers, so odd channels would come back wrong as float indices.
        const int h = 1025, w = 1025, c = 16;
        var g = Geometry(1, h, w, c, 2, 2, 1023, 1023, same: false);
        Assert.Equal((2, 2), (g.OutH, g.OutW));
        var x = new float[h * w * c];
        var random = new Random(3);
        foreach (int ih in new[] { 0, 1, 1023, 1024 })
            foreach (int iw in new[] { 0, 1, 1023, 1024 })
                for (int ch = 0; ch < c; ch++) x[(ih * w + iw) * c + ch] = random.Next(4);
        int[] expected = new int[4 * c];
        float[] yRef = new float[4 * c];
        ReferencePoolingKernels.MaxForward(x, g, yRef, expected);
        Assert.True(expected[^1] > 1 << 24);
        foreach (int lanes in new[] { 1, 4, 8, 16 })
        {
            using var forced = Widths.Force(lanes);
            float[] y = new float[4 * c];
            int[] argmax = new int[4 * c];
            PoolingKernels.MaxForward(x, g, y, argmax);
            Assert.Equal(yRef, y);
            Assert.Equal(expected, argmax);
        }
    }

    [Fact]
    public void Mismatched_spans_and_bad_indices_are_refused()
    {
        var g = Geometry(1, 4, 4, 3, 2, 2, 2, 2, same: false);
        Assert.Throws<ArgumentException>(() => PoolingKernels.MaxForward(new float[47], g, new float[12], new int[12]));
        Assert.Throws<ArgumentException>(() => PoolingKernels.MaxForward(new float[48], g, new float[12], new int[11]));
        Assert.Throws<ArgumentException>(() => PoolingKernels.Average(new float[48], g, new float[13], backward: false));
        Assert.Throws<ArgumentException>(() => PoolingKernels.Average(new float[12], g, new float[12], backward: true));
        Assert.Throws<ArgumentException>(() => PoolingKernels.MaxForward(new float[48], g with { DilationH = 2 }, new float[12], new int[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoolingKernels.MaxBackward(new float[2], [0, 48], new float[48]));
        var dx = new float[48];
        PoolingKernels.MaxBackward([1f, 2f, 3f], [5, -1, 5], dx);
        Assert.Equal(4f, dx[5]);
        Assert.Equal(4f, dx.Sum());
    }
}
