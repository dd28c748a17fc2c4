using Strata.Experiments;

namespace Strata.Tests.Experiments;

public sealed class TemporalOrderProblemTests
{
    private readonly TemporalOrderProblem _task = new();

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(123)]
    public void Generate_IsOneHotWithAOrBAtTheTwoMarkedRangesAndTheRightClass(int length)
    {
        var (x, y) = _task.Generate(400, length, new Random(length));

        Assert.Equal(new Shape(400, length, 6), x.Shape);
        Assert.Equal(new Shape(400), y.Shape);
        var classes = new HashSet<int>();
        for (int n = 0; n < 400; n++)
        {
            var informative = new List<(int Step, int Symbol)>();
            for (int t = 0; t < length; t++)
            {
                var step = x.Span.Slice((n * length + t) * 6, 6);
                Assert.Equal(1f, step.ToArray().Sum());
                int symbol = step.IndexOf(1f);
                if (symbol is TemporalOrderProblem.A or TemporalOrderProblem.B) informative.Add((t, symbol));
            }
            Assert.Equal(2, informative.Count);
            Assert.InRange(informative[0].Step, (int)(0.1 * length), Math.Max((int)(0.1 * length) + 1, (int)(0.2 * length)) - 1);
            Assert.InRange(informative[1].Step, (int)(0.5 * length), Math.Max((int)(0.5 * length) + 1, (int)(0.6 * length)) - 1);
            int expected = informative[0].Symbol + 2 * informative[1].Symbol;
            Assert.Equal(expected, (int)y[n]);
            classes.Add(expected);
        }
        Assert.Equal([0, 1, 2, 3], classes.Order());
    }

    [Fact]
    public void Markers_CoverTheirWholeRanges()
    {
        var random = new Random(2);
        var first = new HashSet<int>();
        var second = new HashSet<int>();
        for (int i = 0; i < 5000; i++)
        {
            var (p0, p1) = TemporalOrderProblem.Markers(random, 200);
            first.Add(p0);
            second.Add(p1);
        }
        Assert.Equal(Enumerable.Range(20, 20), first.Order());
        Assert.Equal(Enumerable.Range(100, 20), second.Order());
    }

    [Fact]
    public void CountWrong_ComparesTheMostProbableClassWithTheTarget()
    {
        var targets = Tensor.FromArray(new Shape(3), 0f, 3f, 2f);
        var predictions = Tensor.FromArray(new Shape(3, 4),
            0.7f, 0.1f, 0.1f, 0.1f,      // right
            0.1f, 0.5f, 0.1f, 0.3f,      // wrong: 1 instead of 3
            float.NaN, 0f, 0f, 0f);      // NaN: wrong

        Assert.Equal(2, _task.CountWrong(predictions, targets));
    }
}
