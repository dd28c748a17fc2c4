using Strata.Data;

namespace Strata.Tests.Data;

public class DatasetTests
{
    private static Dataset Sample(int count) => new(
        Tensor.FromArray(new Shape(count, 2), Enumerable.Range(0, count * 2).Select(i => (float)i).ToArray()),
        Tensor.FromArray(new Shape(count), Enumerable.Range(0, count).Select(i => (float)(i % 10)).ToArray()));

    [Fact]
    public void Count_IsTheLeadingDimension()
    {
        Assert.Equal(5, Sample(5).Count);
        Assert.Equal(0, Sample(0).Count);
    }

    [Fact]
    public void Constructor_DifferentRowCounts_NamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new Tensor(new Shape(3, 2)), new Tensor(new Shape(4))));
        Assert.Contains("(3, 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(4,)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsNullAndScalars()
    {
        Assert.Throws<ArgumentNullException>(() => new Dataset(null!, new Tensor(new Shape(1))));
        Assert.Throws<ArgumentNullException>(() => new Dataset(new Tensor(new Shape(1)), null!));
        Assert.Throws<ArgumentException>(() => new Dataset(new Tensor(new Shape()), new Tensor(new Shape(1))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void Split_CopiesRowsInOrder(int firstCount)
    {
        Dataset all = Sample(5);
        var (first, second) = all.Split(firstCount);

        Assert.Equal(new Shape(firstCount, 2), first.Images.Shape);
        Assert.Equal(new Shape(5 - firstCount, 2), second.Images.Shape);
        Assert.Equal(all.Images.Span[..(firstCount * 2)].ToArray(), first.Images.Span.ToArray());
        Assert.Equal(all.Images.Span[(firstCount * 2)..].ToArray(), second.Images.Span.ToArray());
        Assert.Equal(all.Labels.Span[..firstCount].ToArray(), first.Labels.Span.ToArray());
        Assert.Equal(all.Labels.Span[firstCount..].ToArray(), second.Labels.Span.ToArray());
    }

    [Fact]
    public void Split_ResultsOwnTheirStorage()
    {
        Dataset all = Sample(4);
        var (first, second) = all.Split(2);
        all.Images.Span.Fill(-1f);
        all.Labels.Span.Fill(-1f);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, first.Images.Span.ToArray());
        Assert.Equal(new float[] { 2, 3 }, second.Labels.Span.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Split_OutOfRange_Throws(int firstCount)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample(5).Split(firstCount));
    }

    [Fact]
    public void ClassNames_AreNullUnlessGiven_CopiedAndKeptBySplit()
    {
        Assert.Null(Sample(3).ClassNames);
        string[] names = ["cat", "dog"];
        Dataset named = Sample(3) with { ClassNames = names };
        names[0] = "changed";
        Assert.Equal(["cat", "dog"], named.ClassNames);
        var (first, second) = named.Split(1);
        Assert.Equal(["cat", "dog"], first.ClassNames);
        Assert.Equal(["cat", "dog"], second.ClassNames);
    }

    [Fact]
    public void ClassNames_RejectsANullName()
    {
        var e = Assert.Throws<ArgumentException>(() => Sample(1) with { ClassNames = ["cat", null!] });
        Assert.Contains("Class name 1", e.Message, StringComparison.Ordinal);
    }
}
