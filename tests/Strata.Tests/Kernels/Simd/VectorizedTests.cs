using Strata.Kernels.Simd;

namespace Strata.Tests.Kernels.Simd;

/// <summary>The loop drivers: every element computed exactly once, at the width asked for, with exact sums.</summary>
public unsafe class VectorizedTests
{
    /// <summary>Adds 1 to each element and records the width that computed it.</summary>
    private struct Mark : IVectorBody
    {
        public float* Values;
        public float* WidthOf;

        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            TV.Store(TV.Load(Values + i) + TV.One, Values + i);
            TV.Store(TV.Create(TV.Count), WidthOf + i);
        }
    }

    private struct Sum : IWideReduction
    {
        public float* Values;

        public readonly TW Accumulate<TV, TW>(nint i, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
            => sum + TV.Widen(TV.Load(Values + i));
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Every_element_is_computed_once_widest_vectors_first(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths)
        {
            var values = new float[n];
            var widthOf = new float[n];
            fixed (float* pv = values, pw = widthOf)
                Vectorized.For(new Mark { Values = pv, WidthOf = pw }, n);
            Assert.All(values, v => Assert.Equal(1f, v));
            // Whole vectors of the forced width, then at most one of each narrower width, then scalars.
            int i = 0;
            foreach (int w in new[] { 16, 8, 4 }.Where(w => w <= lanes))
            {
                int whole = w == lanes ? (n - i) / w : Math.Min(1, (n - i) / w);
                for (int e = 0; e < whole * w; e++, i++) Assert.Equal(w, widthOf[i]);
            }
            for (; i < n; i++) Assert.Equal(1f, widthOf[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Sums_are_exact_in_double_at_every_width(int lanes)
    {
        using var forced = Widths.Force(lanes);
        foreach (int n in Widths.AwkwardLengths.Append(100_000))
        {
            // Integers below 2²⁴ are exact in float and their sum exact in double: any lost value shows.
            var values = Enumerable.Range(0, n).Select(i => (float)(i * 7919 % 1_000_003)).ToArray();
            double expected = values.Sum(v => (double)v);
            fixed (float* p = values)
                Assert.Equal(expected, Vectorized.Sum(new Sum { Values = p }, n));
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void A_forced_width_is_what_the_dispatch_runs_and_counts(int lanes)
    {
        var width = (VectorWidth)lanes;
        var values = new float[40];
        var widthOf = new float[40];
        long[] before = Enum.GetValues<VectorWidth>().Select(VectorWidths.Dispatches).ToArray();
        using (Widths.Force(lanes))
        {
            Assert.Equal(width, VectorWidths.Current);
            fixed (float* pv = values, pw = widthOf)
                Vectorized.For(new Mark { Values = pv, WidthOf = pw }, values.Length);
        }
        long[] after = Enum.GetValues<VectorWidth>().Select(VectorWidths.Dispatches).ToArray();
        var all = Enum.GetValues<VectorWidth>();
        for (int w = 0; w < all.Length; w++)
            Assert.Equal(before[w] + (all[w] == width ? 1 : 0), after[w]);
        Assert.Equal(lanes, widthOf[0]);
        Assert.Equal(VectorWidths.Accelerated, VectorWidths.Current);
    }
}
