using System.Numerics.Tensors;

namespace Strata.Distributed;

/// <summary>
/// <see cref="Size"/> ranks as threads of one process, for tests of distributed code without MPI:
/// <see cref="Run{T}"/> starts one thread per rank. Each collective meets every rank at a rendezvous; a sum adds the
/// ranks' values in rank order (((r₀ + r₁) + r₂) + …) on every rank, so it is bit for bit the same everywhere and
/// does not depend on which rank arrived first. Every rank must call the same collectives with the same lengths: a
/// mismatch, a rank that failed, or one that does not arrive within <see cref="Communicator.Timeout"/> fails the
/// call on every waiting rank with a message that names the rank. Each call copies the ranks' values (it allocates):
/// it is for tests, not for speed.
/// </summary>
public sealed class InProcessCommunicator : Communicator
{
    private readonly Rendezvous _rendezvous;

    private InProcessCommunicator(Rendezvous rendezvous, int rank, TimeSpan? timeout) : base(timeout)
    {
        _rendezvous = rendezvous;
        Rank = rank;
    }

    public override int Rank { get; }

    public override int Size => _rendezvous.Size;

    /// <summary>The communicators of one group of <paramref name="size"/> ranks, rank r at index r; each is used by one thread.</summary>
    public static InProcessCommunicator[] Create(int size, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var rendezvous = new Rendezvous(size, timeout ?? DefaultTimeout);
        return [.. Enumerable.Range(0, size).Select(r => new InProcessCommunicator(rendezvous, r, timeout))];
    }

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="size"/> threads, one per rank, and returns each rank's result in
    /// rank order. A rank that throws fails the others' next collective at once (instead of at the timeout); the
    /// ranks' exceptions are rethrown together in an <see cref="AggregateException"/>, the failed rank's first.
    /// </summary>
    public static T[] Run<T>(int size, Func<Communicator, T> body, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var ranks = Create(size, timeout);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = ranks.Select(c => new Thread(() =>
        {
            try
            {
                results[c.Rank] = body(c);
            }
            catch (Exception e)
            {
                errors[c.Rank] = e;
                c._rendezvous.Fail(c.Rank, e);
            }
        }) { Name = $"rank {c.Rank}", IsBackground = true }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        var failed = errors.Where(e => e is not null).Cast<Exception>().OrderBy(e => e is CommunicatorTimeoutException ? 1 : 0).ToArray();
        if (failed.Length > 0) throw new AggregateException($"{failed.Length} of {size} ranks failed: {failed[0].Message}", failed);
        return results;
    }

    public override void AllReduce(Span<float> values)
    {
        var all = _rendezvous.Arrive(Rank, $"AllReduce of {values.Length} floats", values.ToArray());
        try
        {
            ((float[])all[0]!).CopyTo(values);
            for (int r = 1; r < all.Length; r++) TensorPrimitives.Add(values, (float[])all[r]!, values);
        }
        finally
        {
            _rendezvous.Leave(Rank);
        }
    }

    public override void AllReduce(Span<double> values)
    {
        var all = _rendezvous.Arrive(Rank, $"AllReduce of {values.Length} doubles", values.ToArray());
        try
        {
            ((double[])all[0]!).CopyTo(values);
            for (int r = 1; r < all.Length; r++) TensorPrimitives.Add(values, (double[])all[r]!, values);
        }
        finally
        {
            _rendezvous.Leave(Rank);
        }
    }

    public override void Broadcast(Span<float> values, int root = 0)
    {
        CheckRoot(root);
        var all = _rendezvous.Arrive(Rank, $"Broadcast of {values.Length} floats from rank {root}", Rank == root ? values.ToArray() : null);
        try
        {
            ((float[])all[root]!).CopyTo(values);
        }
        finally
        {
            _rendezvous.Leave(Rank);
        }
    }

    public override void Broadcast(Span<double> values, int root = 0)
    {
        CheckRoot(root);
        var all = _rendezvous.Arrive(Rank, $"Broadcast of {values.Length} doubles from rank {root}", Rank == root ? values.ToArray() : null);
        try
        {
            ((double[])all[root]!).CopyTo(values);
        }
        finally
        {
            _rendezvous.Leave(Rank);
        }
    }

    public override void AllGather(ReadOnlySpan<double> values, Span<double> gathered)
    {
        CheckGather(values.Length, gathered.Length);
        var all = _rendezvous.Arrive(Rank, $"AllGather of {values.Length} doubles", values.ToArray());
        try
        {
            for (int r = 0; r < all.Length; r++) ((double[])all[r]!).CopyTo(gathered.Slice(r * values.Length, values.Length));
        }
        finally
        {
            _rendezvous.Leave(Rank);
        }
    }

    public override void Barrier()
    {
        _rendezvous.Arrive(Rank, "Barrier", null);
        _rendezvous.Leave(Rank);
    }

    /// <summary>
    /// Where the ranks meet: each collective is two meetings, one after every rank has put its values in its slot (so
    /// that each can read all of them) and one after every rank has read them (so that no slot is overwritten early).
    /// </summary>
    private sealed class Rendezvous(int size, TimeSpan timeout)
    {
        private readonly object _gate = new();
        private readonly object?[] _slots = new object?[size];
        private readonly string?[] _operations = new string?[size];
        private readonly bool[] _arrived = new bool[size];
        private readonly long[] _calls = new long[size];
        private int _count;
        private long _generation;
        private string? _failure;

        public int Size => size;

        /// <summary>Puts a rank's values in its slot and waits for every rank; returns every slot (valid until <see cref="Leave"/>).</summary>
        public object?[] Arrive(int rank, string operation, object? values)
        {
            lock (_gate)
            {
                _calls[rank]++;
                _slots[rank] = values;
                _operations[rank] = operation;
                Meet(rank, operation);
                for (int r = 1; r < size; r++)
                {
                    if (_operations[r] == _operations[0]) continue;
                    _failure ??= "In-process communicator: the ranks called different collectives: " +
                        string.Join("; ", _operations.Select((o, i) => $"rank {i} {o}")) + ".";
                    Monitor.PulseAll(_gate);
                    throw new InvalidOperationException(_failure);
                }
                return _slots;
            }
        }

        /// <summary>Waits until every rank has read the slots.</summary>
        public void Leave(int rank)
        {
            lock (_gate) Meet(rank, _operations[rank] + " (reading the others' values)");
        }

        /// <summary>Marks a rank as failed, so that the ranks waiting for it fail now rather than at the timeout.</summary>
        public void Fail(int rank, Exception error)
        {
            lock (_gate)
            {
                _failure ??= $"In-process communicator: rank {rank} of {size} failed ({error.GetType().Name}: {error.Message}); the collective cannot complete.";
                Monitor.PulseAll(_gate);
            }
        }

        private void Meet(int rank, string operation)
        {
            if (_failure is not null) throw new CommunicatorTimeoutException(_failure);
            _arrived[rank] = true;
            if (++_count == size)
            {
                _count = 0;
                Array.Clear(_arrived);
                _generation++;
                Monitor.PulseAll(_gate);
                return;
            }
            long generation = _generation;
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (_generation == generation)
            {
                if (_failure is not null) throw new CommunicatorTimeoutException(_failure);
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    var missing = Enumerable.Range(0, size).Where(r => !_arrived[r]);
                    _failure = $"In-process communicator: rank {rank} of {size} waited {timeout.TotalSeconds:0.###} s in {operation} (its collective call {_calls[rank]}) " +
                        $"for rank {string.Join(", ", missing)}, which did not reach it: that rank exited, stalled or called other collectives.";
                    Monitor.PulseAll(_gate);
                    throw new CommunicatorTimeoutException(_failure);
                }
                Monitor.Wait(_gate, (int)Math.Min(left, int.MaxValue));
            }
        }
    }
}
