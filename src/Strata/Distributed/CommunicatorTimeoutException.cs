namespace Strata.Distributed;

/// <summary>A collective did not complete within the communicator's timeout: a rank died, stalled or called something else.</summary>
public sealed class CommunicatorTimeoutException : TimeoutException
{
    public CommunicatorTimeoutException() { }

    public CommunicatorTimeoutException(string message) : base(message) { }

    public CommunicatorTimeoutException(string message, Exception inner) : base(message, inner) { }
}
