using Strata.Kernels.Parallel;

namespace Strata.Tests.Kernels.Parallel;

[Collection(nameof(WorkerPoolSettings))]
public class WorkerPoolTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 37)]
    [InlineData(3, 1000)]
    public unsafe void Runs_every_chunk_exactly_once(int threads, int chunks)
    {
        int saved = WorkerPool.ThreadCount;
        try
        {
            WorkerPool.ThreadCount = threads;
            var counts = new int[chunks];
            for (int repeat = 0; repeat < 50; repeat++)
            {
                fixed (int* pointer = counts)
                {
                    var body = new CountingBody { Counts = pointer };
                    WorkerPool.Run(chunks, ref body);
                }
            }
            Assert.All(counts, count => Assert.Equal(50, count));
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    [Fact]
    public unsafe void A_run_inside_a_chunk_runs_inline()
    {
        var counts = new int[16];
        fixed (int* pointer = counts)
        {
            var body = new NestingBody { Counts = pointer };
            WorkerPool.Run(4, ref body);
        }
        Assert.All(counts, count => Assert.Equal(1, count));
    }

    [Fact]
    public void A_chunk_exception_reaches_the_caller_and_the_pool_keeps_working()
    {
        var body = new ThrowingBody();
        Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(8, ref body));
        Runs_every_chunk_exactly_once(WorkerPool.ThreadCount, 9);
    }

    [Fact]
    public void Thread_count_below_one_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.ThreadCount = 0);

    [Fact]
    public unsafe void Pinned_parts_run_once_each_and_on_the_same_thread_every_time()
    {
        int saved = WorkerPool.ThreadCount;
        try
        {
            WorkerPool.ThreadCount = 2;
            int* threadOf = stackalloc int[5];
            int* runs = stackalloc int[5];
            var body = new PinnedBody { ThreadOf = threadOf, Runs = runs };
            WorkerPool.RunPinned(5, ref body);
            int[] first = [threadOf[0], threadOf[1], threadOf[2], threadOf[3], threadOf[4]];
            for (int call = 0; call < 200; call++)
            {
                WorkerPool.RunPinned(5, ref body);
                for (int p = 0; p < 5; p++) Assert.Equal(first[p], threadOf[p]);
            }
            for (int p = 0; p < 5; p++) Assert.Equal(201, runs[p]);
            int caller = Environment.CurrentManagedThreadId;
            Assert.Equal(caller, first[0]);
            Assert.NotEqual(caller, first[1]);       // part 1 belongs to the worker
            Assert.Equal(caller, first[2]);          // part p runs on participant p mod threads
            Assert.Equal(first[1], first[3]);
            Assert.Equal(caller, first[4]);
            var throwing = new ThrowingBody();
            Assert.Throws<InvalidOperationException>(() => WorkerPool.RunPinned(6, ref throwing));
            WorkerPool.RunPinned(5, ref body);
            Assert.Equal(202, runs[1]);
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    private unsafe struct PinnedBody : WorkerPool.IChunkBody
    {
        public int* ThreadOf;
        public int* Runs;

        public readonly void Execute(int chunk)
        {
            ThreadOf[chunk] = Environment.CurrentManagedThreadId;
            Runs[chunk]++;
        }
    }

    private unsafe struct CountingBody : WorkerPool.IChunkBody
    {
        public int* Counts;

        public readonly void Execute(int chunk) => Interlocked.Increment(ref Counts[chunk]);
    }

    private unsafe struct NestingBody : WorkerPool.IChunkBody
    {
        public int* Counts;

        public readonly void Execute(int chunk)
        {
            var inner = new CountingBody { Counts = Counts + 4 * chunk };
            WorkerPool.Run(4, ref inner);
        }
    }

    private struct ThrowingBody : WorkerPool.IChunkBody
    {
        public readonly void Execute(int chunk)
        {
            if (chunk == 5)
                throw new InvalidOperationException("chunk 5 fails");
        }
    }
}
