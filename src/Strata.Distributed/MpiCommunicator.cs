using System.Diagnostics;

namespace Strata.Distributed;

/// <summary>
/// The ranks of an MPI job (MPI_COMM_WORLD) as a <see cref="Communicator"/>, over Open MPI found at run time
/// (<see cref="OpenMpiLibrary"/>). Start the processes with mpirun:
/// <code>mpirun -np 2 strata train --distributed …</code>
/// Each collective is MPI's non-blocking one (MPI_Iallreduce, MPI_Ibcast, MPI_Iallgather, MPI_Ibarrier) polled with
/// MPI_Test until it completes or <see cref="Communicator.Timeout"/> passes, so a rank that stalls makes the others
/// fail with <see cref="CommunicatorTimeoutException"/> instead of waiting for ever (a rank that exits is reported by
/// mpirun, which then ends the job). Open MPI's allreduce algorithms (recursive doubling, ring) hand every rank the
/// same sums, so the model copies stay identical.
/// </summary>
public sealed unsafe class MpiCommunicator : Communicator
{
    private readonly OpenMpiLibrary _mpi;
    private readonly bool _ownsInitialization;
    private long _calls;
    private bool _broken, _disposed;

    private MpiCommunicator(OpenMpiLibrary mpi, bool ownsInitialization, int rank, int size, TimeSpan? timeout) : base(timeout)
    {
        _mpi = mpi;
        _ownsInitialization = ownsInitialization;
        Rank = rank;
        Size = size;
    }

    public override int Rank { get; }

    public override int Size { get; }

    /// <summary>
    /// True when this process was started by an MPI launcher (Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMI and
    /// PMIx launchers such as srun set PMI_SIZE or PMIX_RANK).
    /// </summary>
    public static bool IsLaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null
        || Environment.GetEnvironmentVariable("PMI_SIZE") is not null
        || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>
    /// Initializes MPI (MPI_Init_thread with MPI_THREAD_SERIALIZED, unless the process already did) and returns the
    /// world communicator; <see cref="Communicator.Dispose()"/> finalizes MPI if this call initialized it. MPI errors
    /// are returned rather than aborting the job (MPI_ERRORS_RETURN), and thrown as exceptions with MPI's message.
    /// </summary>
    /// <param name="timeout">How long a collective waits for every rank; <see cref="Communicator.DefaultTimeout"/> when null.</param>
    /// <exception cref="MpiUnavailableException">Open MPI is not installed (the message says how to install it), or it failed to start.</exception>
    public static MpiCommunicator Open(TimeSpan? timeout = null)
    {
        var mpi = OpenMpiLibrary.Load();
        int initialized = 0, provided = 0, rank = 0, size = 0;
        Check(mpi, mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            int code = mpi.InitThread(null, null, OpenMpiLibrary.ThreadSerialized, &provided);
            if (code != OpenMpiLibrary.Success)
                throw new MpiUnavailableException($"MPI_Init_thread failed ({mpi.Describe(code)}); is this process started by mpirun?");
        }
        Check(mpi, mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(mpi, mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(mpi, mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        return new MpiCommunicator(mpi, initialized == 0, rank, size, timeout);
    }

    public override void AllReduce(Span<float> values)
    {
        fixed (float* p = values) AllReduce(p, values.Length, _mpi.Float, "floats");
    }

    public override void AllReduce(Span<double> values)
    {
        fixed (double* p = values) AllReduce(p, values.Length, _mpi.Double, "doubles");
    }

    public override void Broadcast(Span<float> values, int root = 0)
    {
        CheckRoot(root);
        fixed (float* p = values) Broadcast(p, values.Length, _mpi.Float, root, "floats");
    }

    public override void Broadcast(Span<double> values, int root = 0)
    {
        CheckRoot(root);
        fixed (double* p = values) Broadcast(p, values.Length, _mpi.Double, root, "doubles");
    }

    public override void AllGather(ReadOnlySpan<double> values, Span<double> gathered)
    {
        CheckGather(values.Length, gathered.Length);
        Start();
        nint request;
        fixed (double* send = values, receive = gathered)
        {
            Check(_mpi.Iallgather(send, values.Length, _mpi.Double, receive, values.Length, _mpi.Double, _mpi.CommWorld, &request), "MPI_Iallgather");
            Wait(&request, "AllGather", values.Length, "doubles");
        }
    }

    public override void Barrier()
    {
        Start();
        nint request;
        Check(_mpi.Ibarrier(_mpi.CommWorld, &request), "MPI_Ibarrier");
        Wait(&request, "Barrier", 0, "");
    }

    private void AllReduce(void* values, int count, nint type, string unit)
    {
        Start();
        nint request;
        Check(_mpi.Iallreduce(OpenMpiLibrary.InPlace, values, count, type, _mpi.Sum, _mpi.CommWorld, &request), "MPI_Iallreduce");
        Wait(&request, "AllReduce", count, unit);
    }

    private void Broadcast(void* values, int count, nint type, int root, string unit)
    {
        Start();
        nint request;
        Check(_mpi.Ibcast(values, count, type, root, _mpi.CommWorld, &request), "MPI_Ibcast");
        Wait(&request, "Broadcast", count, unit, root);
    }

    private void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broken) throw new CommunicatorTimeoutException($"MPI rank {Rank} of {Size}: an earlier collective failed, so the ranks are out of step; the job must be restarted.");
        _calls++;
    }

    /// <summary>
    /// Polls a request until it completes: spinning first (a step's allreduce usually completes within microseconds of
    /// the last rank's arrival), then yielding, then sleeping a millisecond at a time, so a long wait does not take a core.
    /// The operation is described only when it fails, so that a step's collectives allocate nothing.
    /// </summary>
    private void Wait(nint* request, string operation, int count, string unit, int root = -1)
    {
        long start = Stopwatch.GetTimestamp();
        int flag = 0;
        for (int poll = 0; ; poll++)
        {
            Check(_mpi.Test(request, &flag, null), "MPI_Test");
            if (flag != 0) return;
            if (Stopwatch.GetElapsedTime(start) > Timeout)
            {
                _broken = true;
                string other = Size == 2 ? $" (rank {1 - Rank})" : "";
                string what = unit.Length == 0 ? operation : $"{operation} of {count} {unit}{(root >= 0 ? $" from rank {root}" : "")}";
                throw new CommunicatorTimeoutException(
                    $"MPI rank {Rank} of {Size}: {what} (collective call {_calls}) did not complete within {Timeout.TotalSeconds:0.###} s: " +
                    $"another rank{other} exited, stalled or called other collectives; mpirun's output names a rank that exited.");
            }
            if (poll < 1000) Thread.SpinWait(20);
            else if (poll < 2000) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    private void Check(int code, string function)
    {
        if (code == OpenMpiLibrary.Success) return;
        _broken = true;
        throw new InvalidOperationException($"MPI rank {Rank} of {Size}: {function} failed ({_mpi.Describe(code)}).");
    }

    private static void Check(OpenMpiLibrary mpi, int code, string function)
    {
        if (code != OpenMpiLibrary.Success) throw new MpiUnavailableException($"{function} failed ({mpi.Describe(code)}).");
    }

    /// <summary>
    /// Finalizes MPI if <see cref="Open"/> initialized it. After a failed collective it does not: MPI_Finalize would
    /// wait for the lost rank; the process exits instead and mpirun ends the job.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        int finalized = 0;
        if (_ownsInitialization && !_broken && _mpi.Finalized(&finalized) == OpenMpiLibrary.Success && finalized == 0) _mpi.Finalize();
    }
}
