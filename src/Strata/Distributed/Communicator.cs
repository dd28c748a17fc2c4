namespace Strata.Distributed;

/// <summary>
/// The collective operations of data-parallel training among <see cref="Size"/> processes (ranks), as MPI defines them:
/// every rank calls the same operations in the same order with spans of the same length, and each call returns once
/// every rank has made it. Implementations: <see cref="InProcessCommunicator"/> (ranks as threads of one process, for
/// tests) and <c>Strata.Distributed.MpiCommunicator</c> (Open MPI).
/// </summary>
/// <remarks>
/// A sum must come out bit for bit the same on every rank, so that every rank applies the same update and the model
/// copies never drift apart. A rank that does not reach a call within <see cref="Timeout"/> makes the call throw
/// <see cref="CommunicatorTimeoutException"/> on the ranks that did, instead of hanging.
/// </remarks>
public abstract class Communicator : IDisposable
{
    /// <summary>The default <see cref="Timeout"/>: long enough for a slow step or the first step's compilation, short enough to notice a lost rank.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <param name="timeout">How long a collective waits for the other ranks before it fails; <see cref="DefaultTimeout"/> when null.</param>
    protected Communicator(TimeSpan? timeout)
    {
        var t = timeout ?? DefaultTimeout;
        if (t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), t, "A communicator's timeout must be positive.");
        Timeout = t;
    }

    /// <summary>This process's index, 0 to <see cref="Size"/> − 1; rank 0 is the one that prints and saves.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public abstract int Size { get; }

    /// <summary>How long a collective waits for every rank to reach it.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>True on rank 0.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>values ← Σ over ranks of values, in place, the same on every rank.</summary>
    public abstract void AllReduce(Span<float> values);

    /// <inheritdoc cref="AllReduce(Span{float})"/>
    public abstract void AllReduce(Span<double> values);

    /// <summary>values ← rank <paramref name="root"/>'s values, on every rank.</summary>
    public abstract void Broadcast(Span<float> values, int root = 0);

    /// <inheritdoc cref="Broadcast(Span{float}, int)"/>
    public abstract void Broadcast(Span<double> values, int root = 0);

    /// <summary>
    /// Every rank's <paramref name="values"/> side by side in rank order: <paramref name="gathered"/> holds
    /// <see cref="Size"/> × values.Length, rank r's at [r·length, (r + 1)·length).
    /// </summary>
    public abstract void AllGather(ReadOnlySpan<double> values, Span<double> gathered);

    /// <summary>Returns once every rank has called it.</summary>
    public abstract void Barrier();

    /// <summary>Releases the communicator (MPI: finalizes MPI).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the implementation holds.</summary>
    protected virtual void Dispose(bool disposing) { }

    /// <summary>Checks that a root is a rank.</summary>
    protected void CheckRoot(int root)
    {
        if (root < 0 || root >= Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast root {root} is not a rank of this communicator of {Size}.");
    }

    /// <summary>Checks that a gather buffer holds <see cref="Size"/> × the values.</summary>
    protected void CheckGather(int length, int gathered)
    {
        if (gathered != (long)length * Size)
            throw new ArgumentException($"AllGather of {length} values on {Size} ranks needs a buffer of {(long)length * Size}; got {gathered}.", nameof(gathered));
    }
}
