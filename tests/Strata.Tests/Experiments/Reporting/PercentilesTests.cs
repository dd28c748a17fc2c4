using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(50, 3)]
    [InlineData(100, 5)]
    [InlineData(15, 1.6)]   // position 0.15·4 = 0.6 between 1 and 2
    [InlineData(85, 4.4)]   // position 3.4 between 4 and 5
    public void Of_InterpolatesBetweenClosestRanksLikeNumPy(double p, double expected)
    {
        Assert.Equal(expected, Percentiles.Of([5, 1, 4, 2, 3], p), 12);
    }

    [Fact]
    public void Of_EmptyIsNaNAndOutOfRangeThrows()
    {
        Assert.True(double.IsNaN(Percentiles.Of([], 50)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1.0], 101));
    }
}
