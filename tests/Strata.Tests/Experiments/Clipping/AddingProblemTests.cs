using Strata.Experiments;

namespace Strata.Tests.Experiments;

public sealed class AddingProblemTests
{
    private readonly AddingProblem _task = new();

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(137)]
    public void Generate_MarksTwoStepsInTheirRangesAndTargetsTheirMean(int length)
    {
        var (x, y) = _task.Generate(500, length, new Random(length));

        Assert.Equal(new Shape(500, length, 2), x.Shape);
        Assert.Equal(new Shape(500, 1), y.Shape);
        for (int n = 0; n < 500; n++)
        {
            var markers = new List<int>();
            for (int t = 0; t < length; t++)
            {
                float marker = x.Span[(n * length + t) * 2], value = x.Span[(n * length + t) * 2 + 1];
                Assert.True(marker is 0f or 1f, $"marker {marker}");
                Assert.InRange(value, 0f, 1f);
                if (marker == 1f) markers.Add(t);
            }
            Assert.Equal(2, markers.Count);
            Assert.InRange(markers[0], 0, Math.Max(1, (int)(0.1 * length)) - 1);
            Assert.InRange(markers[1], (int)(0.1 * length), (int)(0.5 * length) - 1);
            float expected = (x.Span[(n * length + markers[0]) * 2 + 1] + x.Span[(n * length + markers[1]) * 2 + 1]) / 2;
            Assert.Equal(expected, y[n]);
        }
    }

    [Fact]
    public void Markers_CoverTheirWholeRanges()
    {
        var random = new Random(1);
        var first = new HashSet<int>();
        var second = new HashSet<int>();
        for (int i = 0; i < 5000; i++)
        {
            var (p0, p1) = AddingProblem.Markers(random, 100);
            first.Add(p0);
            second.Add(p1);
        }
        Assert.Equal(Enumerable.Range(0, 10), first.Order());
        Assert.Equal(Enumerable.Range(10, 40), second.Order());
    }

    [Fact]
    public void CountWrong_UsesTheSquaredErrorThresholdOf0_04()
    {
        var targets = Tensor.FromArray(new Shape(5, 1), 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
        // errors 0, 0.19 (0.0361 ≤ 0.04), 0.21 (0.0441 > 0.04), −0.3, NaN
        var predictions = Tensor.FromArray(new Shape(5, 1), 0.5f, 0.69f, 0.71f, 0.2f, float.NaN);

        Assert.Equal(3, _task.CountWrong(predictions, targets));
    }

    [Fact]
    public void Succeeded_MeansFewerThanOnePercentWrong()
    {
        Assert.True(SequenceTask.Succeeded(0.0099));
        Assert.False(SequenceTask.Succeeded(0.01));
        Assert.False(SequenceTask.Succeeded(0.5));
    }
}
