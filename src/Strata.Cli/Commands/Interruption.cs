using System.Runtime.InteropServices;

namespace Strata.Cli.Commands;

/// <summary>
/// Turns SIGINT (Ctrl-C) and SIGTERM into a request to stop training after the current step, so that the last
/// completed epoch, saved by the run's checkpoint, is what remains; a second signal ends the process at once.
/// </summary>
internal sealed class Interruption : Callback, IDisposable
{
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private volatile bool _requested;

    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>Whether a signal asked training to stop.</summary>
    public bool Requested => _requested;

    public override void OnBatchEnd(int epoch, BatchLogs logs)
    {
        if (_requested) StopTraining = true;
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // The first signal stops after the current step; a second one gets the default action and ends the process.
        context.Cancel = !_requested;
        _requested = true;
    }
}
