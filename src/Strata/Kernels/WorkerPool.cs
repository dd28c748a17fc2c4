using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Strata.Kernels;

/// <summary>
/// The persistent threads that kernels share for data parallelism. <see cref="ThreadCount"/> threads take part in
/// a parallel kernel: the calling thread plus <c>ThreadCount − 1</c> background workers that live for the process.
/// </summary>
/// <remarks>
/// <para>
/// A kernel splits its work into chunks and hands them to <see cref="Run{TBody}(int, ref TBody)"/>; every thread
/// (the caller included) claims chunk indices from a shared counter until none are left, so a thread slowed by
/// other load simply takes fewer chunks. A call allocates nothing: the body is an unmanaged struct that the
/// caller keeps on its stack, and workers reach it through a pointer and a generic function pointer.
/// </para>
/// <para>
/// Determinism: which thread runs a chunk varies from call to call, so a body must make its results depend only
/// on the chunk index (for example a range of output rows, or a partial sum stored per chunk and combined in chunk
/// order afterwards), never on the thread. Then results do not depend on <see cref="ThreadCount"/> either, as long
/// as the chunking itself does not.
/// </para>
/// <para>
/// After a job, workers spin for about <see cref="SpinMicroseconds"/> µs waiting for the next one (kernels of a
/// training step come back to back, and waking a blocked thread costs tens of µs) and then block on an event.
/// Only one job runs at a time: a <see cref="Run{TBody}(int, ref TBody)"/> issued while another is running (from a
/// second caller thread, or from inside a chunk) runs all its chunks on its own calling thread.
/// </para>
/// </remarks>
public static class WorkerPool
{
    /// <summary>A unit of parallel work: <see cref="Execute"/> is called once for every chunk index 0..count−1.</summary>
    internal interface IChunkBody
    {
        /// <summary>Does chunk <paramref name="chunk"/>. Must not depend on which thread runs it.</summary>
        void Execute(int chunk);
    }

    /// <summary>How long an idle worker polls for new work before it blocks.</summary>
    internal const int SpinMicroseconds = 100;

    private static readonly object s_resizeLock = new();
    private static int s_threadCount = Math.Max(1, Environment.ProcessorCount);
    private static Worker[] s_workers = [];

    // The current job. Written by the caller while no job is open, read by workers once they are inside it.
    private static unsafe delegate*<void*, int, void> s_invoke;
    private static unsafe void* s_body;
    private static int s_chunkCount;
    private static int s_nextChunk;
    private static bool s_pinned;
    private static int s_pinnedDone;
    private static int s_forcedWidth;
    private static ExceptionDispatchInfo? s_error;

    // Odd while a job is open. Workers register in s_inJob before touching the job, and the caller closes the
    // job (makes the generation even) and then waits for s_inJob to drain, so no worker can see a half-written
    // next job: Dekker-style, with full fences (Interlocked) on both sides.
    private static int s_generation;
    private static int s_inJob;
    private static int s_busy;

    /// <summary>
    /// Threads a parallel kernel uses, the calling thread included (default: <see cref="Environment.ProcessorCount"/>).
    /// Setting it resizes the pool; 1 runs every kernel on the calling thread.
    /// </summary>
    public static int ThreadCount
    {
        get => Volatile.Read(ref s_threadCount);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (s_resizeLock)
            {
                AcquireJobSlot();
                try
                {
                    if (value != s_threadCount)
                    {
                        StopWorkers();
                        Volatile.Write(ref s_threadCount, value);
                    }
                }
                finally
                {
                    Volatile.Write(ref s_busy, 0);
                }
            }
        }
    }

    /// <summary>
    /// Runs <c>body.Execute(i)</c> for every i in [0, <paramref name="chunkCount"/>) on up to <see cref="ThreadCount"/>
    /// threads and returns when all chunks are done. <paramref name="body"/> must stay where it is during the call
    /// (pass a local). The first exception thrown by a chunk is rethrown here after the other chunks finished.
    /// </summary>
    internal static void Run<TBody>(int chunkCount, ref TBody body) where TBody : unmanaged, IChunkBody
        => Dispatch(chunkCount, ref body, pinned: false);

    /// <summary>
    /// Runs part p of <paramref name="parts"/> on participant p: the calling thread runs part 0 (and any part beyond
    /// <see cref="ThreadCount"/>), worker p runs part p, every time. A kernel that gives each thread the same rows of
    /// a weight in the forward pass, the backward pass and the update keeps those rows in that core's cache; with
    /// dynamic claiming they would wander between cores, and every step would pay to move them back.
    /// When the pool is busy or has one thread, the parts run in order on the calling thread.
    /// </summary>
    internal static void RunPinned<TBody>(int parts, ref TBody body) where TBody : unmanaged, IChunkBody
        => Dispatch(parts, ref body, pinned: true);

    private static unsafe void Dispatch<TBody>(int chunkCount, ref TBody body, bool pinned) where TBody : unmanaged, IChunkBody
    {
        if (chunkCount <= 0)
            return;
        if (chunkCount == 1 || Volatile.Read(ref s_threadCount) == 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int i = 0; i < chunkCount; i++)
                body.Execute(i);
            return;
        }

        try
        {
            EnsureWorkers();
            fixed (TBody* bodyPointer = &body)
            {
                s_invoke = &Invoke<TBody>;
                s_body = bodyPointer;
                s_chunkCount = chunkCount;
                s_nextChunk = 0;
                s_pinned = pinned;
                s_pinnedDone = 0;
                s_forcedWidth = Simd.VectorWidths.ForcedOnThisThread;
                s_error = null;
                Interlocked.Increment(ref s_generation);
                foreach (Worker worker in s_workers)
                    worker.Wake();

                RunChunks(participant: 0);
                if (pinned)
                {
                    // The workers' parts are theirs alone: wait until each has run.
                    int mine = chunkCount - Math.Min(chunkCount, s_threadCount) + 1;
                    var wait = new SpinWait();
                    while (Volatile.Read(ref s_pinnedDone) < chunkCount - mine)
                        wait.SpinOnce(sleep1Threshold: -1);
                }

                Interlocked.Increment(ref s_generation);
                var spin = new SpinWait();
                while (Volatile.Read(ref s_inJob) != 0)
                    spin.SpinOnce(sleep1Threshold: -1);
                s_body = null;
            }
            s_error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static unsafe void Invoke<TBody>(void* body, int chunk) where TBody : unmanaged, IChunkBody
        => Unsafe.AsRef<TBody>(body).Execute(chunk);

    /// <summary>
    /// Claims and runs chunks of the open job until none are left; in a pinned job, runs this participant's part
    /// (the caller, participant 0, also runs the parts beyond the thread count).
    /// </summary>
    private static unsafe void RunChunks(int participant)
    {
        delegate*<void*, int, void> invoke = s_invoke;
        void* body = s_body;
        int count = s_chunkCount;
        bool pinned = s_pinned;
        int threads = s_threadCount;
        int next = participant;
        while (true)
        {
            int chunk;
            if (pinned)
            {
                chunk = next;
                next = next == 0 ? threads : next < threads ? count : next + 1;
            }
            else
            {
                chunk = Interlocked.Increment(ref s_nextChunk) - 1;
            }
            if (chunk >= count)
                return;
            try
            {
                invoke(body, chunk);
            }
#pragma warning disable CA1031 // a chunk's exception is handed to the caller of Run, not swallowed
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
            }
            if (pinned && participant != 0)
                Interlocked.Increment(ref s_pinnedDone);
        }
    }

    private static void AcquireJobSlot()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            spin.SpinOnce();
    }

    /// <summary>Starts the workers on the first parallel job after a resize. Called with the job slot held.</summary>
    private static void EnsureWorkers()
    {
        int wanted = s_threadCount - 1;
        if (s_workers.Length == wanted)
            return;
        var workers = new Worker[wanted];
        for (int i = 0; i < wanted; i++)
            workers[i] = new Worker(i + 1);
        s_workers = workers;
    }

    /// <summary>Ends every worker thread. Called with the job slot held, so none is inside a job.</summary>
    private static void StopWorkers()
    {
        foreach (Worker worker in s_workers)
            worker.Stop();
        s_workers = [];
    }

    private sealed class Worker
    {
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private readonly int _index;
        private volatile bool _stop;

        public Worker(int index)
        {
            _index = index;
            _thread = new Thread(Loop) { IsBackground = true, Name = $"Strata worker {index}" };
            _thread.Start();
        }

        public void Wake() => _wake.Set();

        public void Stop()
        {
            _stop = true;
            _wake.Set();
            _thread.Join();
            _wake.Dispose();
        }

        private void Loop()
        {
            // Any odd value that is not the next generation; workers start while no job is open (generation even).
            int finished = Volatile.Read(ref s_generation) - 1;
            while (true)
            {
                int generation = WaitForJob(finished);
                if (generation == 0)
                    return;
                Interlocked.Increment(ref s_inJob);
                if (Volatile.Read(ref s_generation) == generation)
                {
                    // A width a test forced on the calling thread holds for the whole job.
                    Simd.VectorWidths.ForcedOnThisThread = s_forcedWidth;
                    RunChunks(_index);
                }
                Interlocked.Decrement(ref s_inJob);
                finished = generation;
            }
        }

        /// <summary>Returns the generation of an open job other than <paramref name="finished"/>, or 0 to stop.</summary>
        private int WaitForJob(int finished)
        {
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
                do
                {
                    int generation = Volatile.Read(ref s_generation);
                    if ((generation & 1) == 1 && generation != finished)
                        return generation;
                    if (_stop)
                        return 0;
                    Thread.SpinWait(8);
                }
                while (Stopwatch.GetTimestamp() < deadline);

                // Reset, then look again: a job posted after the reset also sets the event, so the wait cannot miss it.
                _wake.Reset();
                Interlocked.MemoryBarrier();
                int latest = Volatile.Read(ref s_generation);
                if (((latest & 1) == 1 && latest != finished) || _stop)
                    continue;
                _wake.Wait();
            }
        }
    }
}
