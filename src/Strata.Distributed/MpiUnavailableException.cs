namespace Strata.Distributed;

/// <summary>MPI cannot be used here: no Open MPI library, another MPI, or a failed initialization. The message says which and what to do.</summary>
public sealed class MpiUnavailableException : Exception
{
    public MpiUnavailableException() { }

    public MpiUnavailableException(string message) : base(message) { }

    public MpiUnavailableException(string message, Exception inner) : base(message, inner) { }
}
