using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tracking;

// Process exit: the kernel closes an exiting process's sockets itself (no close() syscall, so no close
// events), and only this event says they are gone. Each connection of the process is closed as a close
// event would close it, so unanswered requests are reported now instead of at the idle timeout.
internal sealed partial class ConnectionTracker
{
    // The most recently created connection of each pid, heading a list through NextOfProcess.
    private readonly Dictionary<int, TrackedConnection> _byProcess = new();

    /// <inheritdoc />
    public void OnProcessExit(in ProcessExitEvent e)
    {
        Statistics.AddEventsRead();
        var timestamp = e.Header.TimestampNs;
        Observe(timestamp);
        var pid = (int)e.Header.Conn.Tgid;
        var startNs = e.ProcessStartNs;
        if (_byProcess.TryGetValue(pid, out var connection))
        {
            while (connection is not null)
            {
                // Closing may finish (and unlink) this connection, never another one.
                var next = connection.NextOfProcess;
                if (IsSameProcess(connection, startNs))
                {
                    CloseForExit(connection, timestamp);
                }

                connection = next;
            }
        }

        // After the closes: the records they produced already hold the process's metadata.
        _infoFactory.ForgetProcess(pid, startNs);
    }

    // A connection whose open event was seen knows its process's start time; a newer process that
    // reused the pid (its events overtook the exit on another CPU) must keep its connections.
    private static bool IsSameProcess(TrackedConnection connection, ulong startNs)
    {
        var connectionStart = connection.Connection.Process.StartTimeNs;
        return connectionStart == 0 || startNs == 0 || connectionStart == startNs;
    }

    private void CloseForExit(TrackedConnection connection, ulong timestamp)
    {
        if (connection.CloseRequested || connection.State == TrackedConnectionState.Finished)
        {
            return;
        }

        Touch(connection, timestamp);
        connection.CloseRequested = true;
        connection.CloseRequestedNs = timestamp;
        // No final lengths: the kernel did not count them for a socket closed by exit. What arrives
        // within the reorder window is still parsed.
        connection.FinalEgressLength = 0;
        connection.FinalIngressLength = 0;
        TryFinishClose(connection);
    }

    private void LinkToProcess(TrackedConnection connection)
    {
        var pid = connection.Key.Id.Pid;
        if (_byProcess.TryGetValue(pid, out var head))
        {
            head.PreviousOfProcess = connection;
            connection.NextOfProcess = head;
        }

        _byProcess[pid] = connection;
    }

    private void UnlinkFromProcess(TrackedConnection connection)
    {
        var previous = connection.PreviousOfProcess;
        var next = connection.NextOfProcess;
        if (next is not null)
        {
            next.PreviousOfProcess = previous;
        }

        if (previous is not null)
        {
            previous.NextOfProcess = next;
        }
        else if (next is not null)
        {
            _byProcess[connection.Key.Id.Pid] = next;
        }
        else
        {
            _byProcess.Remove(connection.Key.Id.Pid);
        }

        connection.NextOfProcess = null;
        connection.PreviousOfProcess = null;
    }
}
