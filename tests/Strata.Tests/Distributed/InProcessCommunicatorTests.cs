using System.Diagnostics;
using Strata.Distributed;

namespace Strata.Tests.Distributed;

public class InProcessCommunicatorTests
{
    [Fact]
    public void AllReduceSumsInRankOrderTheSameOnEveryRank()
    {
        // 1e8 + 1 − 1e8 in float depends on the order: rank order gives (1e8 + 1) + (−1e8) = 0 on every rank.
        float[] contributions = [1e8f, 1f, -1e8f];
        var results = InProcessCommunicator.Run(3, c =>
        {
            float[] f = [contributions[c.Rank], c.Rank];
            c.AllReduce(f);
            double[] d = [c.Rank + 0.5, 1];
            c.AllReduce(d);
            return (f, d);
        });
        foreach (var (f, d) in results)
        {
            Assert.Equal([(1e8f + 1f) + -1e8f, 3f], f);
            Assert.Equal([4.5, 3], d);
        }
    }

    [Fact]
    public void BroadcastAllGatherAndBarrier()
    {
        var results = InProcessCommunicator.Run(3, c =>
        {
            float[] f = [c.Rank, c.Rank * 10];
            c.Broadcast(f, root: 2);
            double[] d = [c.Rank];
            c.Broadcast(d);
            var gathered = new double[6];
            c.AllGather([c.Rank, -c.Rank], gathered);
            c.Barrier();
            return (f, d, gathered, c.Size, c.IsRoot);
        });
        for (int r = 0; r < 3; r++)
        {
            var (f, d, gathered, size, root) = results[r];
            Assert.Equal([2f, 20f], f);
            Assert.Equal([0.0], d);
            Assert.Equal([0, 0, 1, -1, 2, -2], gathered);
            Assert.Equal(3, size);
            Assert.Equal(r == 0, root);
        }
    }

    [Fact]
    public void AMissingRankFailsTheOthersWithinTheTimeoutNamingIt()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            if (c.Rank == 1) return 0; // exits without its collective
            c.AllReduce(new float[4]);
            return 0;
        }, TimeSpan.FromMilliseconds(300)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var timeout = Assert.IsType<CommunicatorTimeoutException>(error.InnerExceptions[0]);
        Assert.Matches(@"for rank 1, which did not reach it", timeout.Message);
        Assert.Contains("AllReduce of 4 floats", timeout.Message);
    }

    [Fact]
    public void AFailedRankFailsTheOthersAtOnce()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, c =>
        {
            if (c.Rank == 0) throw new InvalidDataException("bad shard");
            c.Barrier();
            return 0;
        }, TimeSpan.FromMinutes(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
        Assert.IsType<InvalidDataException>(error.InnerExceptions[0]);
        var other = Assert.IsType<CommunicatorTimeoutException>(error.InnerExceptions[1]);
        Assert.Contains("rank 0 of 2 failed (InvalidDataException: bad shard)", other.Message);
    }

    [Fact]
    public void DifferentCollectivesOnDifferentRanksAreAnError()
    {
        var error = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, c =>
        {
            c.AllReduce(new float[c.Rank + 1]);
            return 0;
        }));
        Assert.Contains("rank 0 AllReduce of 1 floats; rank 1 AllReduce of 2 floats", error.InnerExceptions[0].Message);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var c = InProcessCommunicator.Create(2)[0];
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Broadcast(new float[1], root: 2));
        Assert.Throws<ArgumentException>(() => c.AllGather(new double[2], new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => InProcessCommunicator.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => InProcessCommunicator.Create(2, TimeSpan.Zero));
    }
}
