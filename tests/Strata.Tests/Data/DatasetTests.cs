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

    [Fact]
    public void Batches_cover_every_row_once_in_a_seeded_order()
    {
        var x = new Tensor(new Shape(10, 2));
        var y = new Tensor(new Shape(10));
        for (int i = 0; i < 10; i++) { x[i, 0] = i; x[i, 1] = -i; y[i] = i; }
        var data = new Dataset(x, y);
        var batches = data.Batches(4, shuffle: true, seed: 3).ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.X.Shape[0]));
        var seen = batches.SelectMany(b => b.Y.Span.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), seen.Order());
        Assert.All(batches, b => Assert.Equal(b.Y.Span.ToArray().Select(v => -v), b.X.Span.ToArray().Where((_, i) => i % 2 == 1)));
        Assert.Equal(seen, data.Batches(4, shuffle: true, seed: 3).SelectMany(b => b.Y.Span.ToArray()));
        Assert.NotEqual(seen, data.Batches(4, shuffle: true, seed: 4).SelectMany(b => b.Y.Span.ToArray()));
        Assert.Equal(2, data.Batches(4, dropLast: true).Count());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), data.Batches(3).SelectMany(b => b.Y.Span.ToArray()));
        Assert.Equal(seen, data.Shuffled(3).Labels.Span.ToArray());
    }

    [Fact]
    public void OfClasses_KeepsTheRowsOfTheClassesAndNumbersThemInTheOrderGiven()
    {
        var data = Sample(25);
        var named = new Dataset(data.Images, data.Labels) { ClassNames = [.. Enumerable.Range(0, 10).Select(c => $"c{c}")] };
        var two = named.OfClasses(6, 5);
        Assert.Equal([1f, 0, 1, 0], two.Labels.Span.ToArray()); // rows 5, 6, 15 and 16; class 6 is given first, so it is 0
        Assert.Equal([10f, 11, 12, 13, 30, 31, 32, 33], two.Images.Span.ToArray());
        Assert.Equal(["c6", "c5"], two.ClassNames!);
        Assert.Throws<ArgumentException>(() => named.OfClasses(3, 3));
        Assert.Throws<ArgumentException>(() => named.OfClasses());
    }
}
