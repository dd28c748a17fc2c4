using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Strata.Kernels.Parallel;

/// <summary>
/// The persistent threads of one <see cref="ComputeContext"/>: <see cref="Threads"/> threads take part in a
/// parallel kernel, the calling thread plus <c>Threads − 1</c> background workers that live as long as the pool.
/// Kernels reach the pool of the context the calling thread is in through the static <see cref="Run{TBody}"/>,
/// <see cref="RunPinned{TBody}"/> and <see cref="ThreadCount"/>; two models with two contexts train side by side,
/// each on its own threads.
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
/// order afterwards), never on the thread. Then results do not depend on the thread count either, as long as the
/// chunking itself does not: kernels chunk by sizes derived from the shapes and the machine, never the thread count.
/// </para>
/// <para>
/// After a job, workers spin for about <see cref="SpinMicroseconds"/> µs waiting for the next one (kernels of a
/// training step come back to back, and waking a blocked thread costs tens of µs) and then block on an event.
/// Only one job runs at a time: a <see cref="Run{TBody}(int, ref TBody)"/> issued while another is running (from a
/// second caller thread, or from inside a chunk) runs all its chunks on its own calling thread.
/// </para>
/// </remarks>
internal sealed class WorkerPool
{
    /// <summary>A unit of parallel work: <see cref="Execute"/> is called once for every chunk index 0..count−1.</summary>
    internal interface IChunkBody
    {
        /// <summary>Does chunk <paramref name="chunk"/>. Must not depend on which thread runs it.</summary>
        void Execute(int chunk);
    }

    /// <summary>How long an idle worker polls for new work before it blocks.</summary>
    internal const int SpinMicroseconds = 100;

    private readonly object _resizeLock = new();
    private int _threadCount;
    private Worker[] _workers = [];

    // The current job. Written by the caller while no job is open, read by workers once they are inside it.
    private unsafe delegate*<void*, int, void> _invoke;
    private unsafe void* _body;
    private int _chunkCount;
    private int _nextChunk;
    private bool _pinned;
    private int _pinnedDone;
    private int _forcedWidth;
    private ExceptionDispatchInfo? _error;

    // Odd while a job is open. Workers register in _inJob before touching the job, and the caller closes the
    // job (makes the generation even) and then waits for _inJob to drain, so no worker can see a half-written
    // next job: Dekker-style, with full fences (Interlocked) on both sides.
    private int _generation;
    private int _inJob;
    private int _busy;

    /// <summary>A pool of <paramref name="threads"/> threads, the calling thread included; workers start on the first job.</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threadCount = threads;
    }

    /// <summary>The context whose pool this is; its workers run their kernels in it.</summary>
    public ComputeContext? Owner { get; init; }

    /// <summary>The pool of the compute context the calling thread is in (<see cref="ComputeContext.Current"/>).</summary>
    public static WorkerPool Current => ComputeContext.Current.Pool;

    /// <summary>
    /// Threads of the current context's pool. Setting it resizes that pool (the default context's, outside any model);
    /// 1 runs every kernel on the calling thread.
    /// </summary>
    public static int ThreadCount
    {
        get => Current.Threads;
        set => Current.Threads = value;
    }

    /// <summary>Runs <paramref name="body"/> on the current context's pool; see <see cref="RunChunks{TBody}"/>.</summary>
    public static void Run<TBody>(int chunkCount, ref TBody body) where TBody : unmanaged, IChunkBody
        => Current.RunChunks(chunkCount, ref body);

    /// <summary>Runs <paramref name="body"/> pinned on the current context's pool; see <see cref="RunParts{TBody}"/>.</summary>
    public static void RunPinned<TBody>(int parts, ref TBody body) where TBody : unmanaged, IChunkBody
        => Current.RunParts(parts, ref body);

    /// <summary>Threads a parallel kernel uses, the calling thread included. Setting it resizes the pool.</summary>
    public int Threads
    {
        get => Volatile.Read(ref _threadCount);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (_resizeLock)
            {
                AcquireJobSlot();
                try
                {
                    if (value != _threadCount)
                    {
                        StopWorkers();
                        Volatile.Write(ref _threadCount, value);
                    }
                }
                finally
                {
                    Volatile.Write(ref _busy, 0);
                }
            }
        }
    }

    /// <summary>
    /// Runs <c>body.Execute(i)</c> for every i in [0, <paramref name="chunkCount"/>) on up to <see cref="Threads"/>
    /// threads and returns when all chunks are done. <paramref name="body"/> must stay where it is during the call
    /// (pass a local). The first exception thrown by a chunk is rethrown here after the other chunks finished.
    /// </summary>
    public void RunChunks<TBody>(int chunkCount, ref TBody body) where TBody : unmanaged, IChunkBody
        => Dispatch(chunkCount, ref body, pinned: false);

    /// <summary>
    /// Runs part p of <paramref name="parts"/> on participant p mod <see cref="Threads"/> (participant 0 is the calling
    /// thread, participant q &gt; 0 worker q), every time: a kernel that gives each thread the same rows of a weight in
    /// the forward pass, the backward pass and the update keeps those rows in that core's cache; with dynamic claiming
    /// they would wander between cores, and every step would pay to move them back. A participant runs its parts in
    /// increasing order. When the pool is busy or has one thread, the parts run in order on the calling thread.
    /// </summary>
    public void RunParts<TBody>(int parts, ref TBody body) where TBody : unmanaged, IChunkBody
        => Dispatch(parts, ref body, pinned: true);

    /// <summary>Ends the worker threads; the pool starts them again if it is used after this.</summary>
    public void Stop()
    {
        lock (_resizeLock)
        {
            AcquireJobSlot();
            try
            {
                StopWorkers();
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }
    }

    private unsafe void Dispatch<TBody>(int chunkCount, ref TBody body, bool pinned) where TBody : unmanaged, IChunkBody
    {
        if (chunkCount <= 0)
            return;
        if (chunkCount == 1 || Volatile.Read(ref _threadCount) == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
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
                _invoke = &Invoke<TBody>;
                _body = bodyPointer;
                _chunkCount = chunkCount;
                _nextChunk = 0;
                _pinned = pinned;
                _pinnedDone = 0;
                _forcedWidth = Simd.VectorWidths.ForcedOnThisThread;
                _error = null;
                Interlocked.Increment(ref _generation);
                foreach (Worker worker in _workers)
                    worker.Wake();

                RunClaimed(participant: 0);
                if (pinned)
                {
                    // The workers' parts are theirs alone: wait until each has run.
                    int mine = (chunkCount + _threadCount - 1) / _threadCount;
                    var wait = new SpinWait();
                    while (Volatile.Read(ref _pinnedDone) < chunkCount - mine)
                        wait.SpinOnce(sleep1Threshold: -1);
                }

                Interlocked.Increment(ref _generation);
                var spin = new SpinWait();
                while (Volatile.Read(ref _inJob) != 0)
                    spin.SpinOnce(sleep1Threshold: -1);
                _body = null;
            }
            _error?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static unsafe void Invoke<TBody>(void* body, int chunk) where TBody : unmanaged, IChunkBody
        => Unsafe.AsRef<TBody>(body).Execute(chunk);

    /// <summary>
    /// Claims and runs chunks of the open job until none are left; in a pinned job, runs this participant's parts
    /// (participant, participant + threads, ...).
    /// </summary>
    private unsafe void RunClaimed(int participant)
    {
        delegate*<void*, int, void> invoke = _invoke;
        void* body = _body;
        int count = _chunkCount;
        bool pinned = _pinned;
        int threads = _threadCount;
        int next = participant;
        while (true)
        {
            int chunk;
            if (pinned)
            {
                chunk = next;
                next += threads;
            }
            else
            {
                chunk = Interlocked.Increment(ref _nextChunk) - 1;
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
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
            }
            if (pinned && participant != 0)
                Interlocked.Increment(ref _pinnedDone);
        }
    }

    private void AcquireJobSlot()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            spin.SpinOnce();
    }

    /// <summary>Starts the workers on the first parallel job after a resize. Called with the job slot held.</summary>
    private void EnsureWorkers()
    {
        int wanted = _threadCount - 1;
        if (_workers.Length == wanted)
            return;
        var workers = new Worker[wanted];
        for (int i = 0; i < wanted; i++)
            workers[i] = new Worker(this, i + 1);
        _workers = workers;
    }

    /// <summary>Ends every worker thread. Called with the job slot held, so none is inside a job.</summary>
    private void StopWorkers()
    {
        foreach (Worker worker in _workers)
            worker.Stop();
        _workers = [];
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private readonly int _index;
        private volatile bool _stop;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
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

        // Called once and never returns until the pool stops, so tiered compilation would leave it at tier 0 (its
        // spin loop calling helpers for every Volatile and Interlocked access) until on-stack replacement caught up.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop()
        {
            // A kernel a chunk calls (a GEMM inside a row part) finds this pool busy and runs on this thread.
            _pool.Owner?.AdoptWorkerThread();
            // Any odd value that is not the next generation; workers start while no job is open (generation even).
            int finished = Volatile.Read(ref _pool._generation) - 1;
            while (true)
            {
                int generation = WaitForJob(finished);
                if (generation == 0)
                    return;
                Interlocked.Increment(ref _pool._inJob);
                if (Volatile.Read(ref _pool._generation) == generation)
                {
                    // A width a test forced on the calling thread holds for the whole job.
                    Simd.VectorWidths.ForcedOnThisThread = _pool._forcedWidth;
                    _pool.RunClaimed(_index);
                }
                Interlocked.Decrement(ref _pool._inJob);
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
                    int generation = Volatile.Read(ref _pool._generation);
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
                int latest = Volatile.Read(ref _pool._generation);
                if (((latest & 1) == 1 && latest != finished) || _stop)
                    continue;
                _wake.Wait();
            }
        }
    }
}
