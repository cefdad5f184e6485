using System.Text;

namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>
/// One <see cref="ProcessInfo"/> per process, keyed by (pid, start time) so a reused pid is a new entry:
/// read from <c>/proc</c> when the process is first seen (at its first connect or accept, so short-lived
/// processes still resolve), read again when its name changes (an exec), and forgotten least recently
/// used first, once the tracer sees it exit (<see cref="Forget"/>), or once a sweep finds its pid gone.
/// </summary>
/// <remarks>
/// Single-threaded (the tracker's thread). Work per call is bounded: at most one process read, plus a
/// few existence checks every <see cref="SweepEvery"/> new entries.
/// </remarks>
internal sealed class ProcessMetadataCache
{
    /// <summary>New entries between two sweeps for exited processes.</summary>
    public const int SweepEvery = 64;

    /// <summary>Least recently used entries checked per sweep.</summary>
    public const int SweepChecks = 8;

    private readonly ProcessMetadataReader _reader;
    private readonly int _capacity;
    private readonly Dictionary<(int Pid, ulong StartNs), LinkedListNode<ProcessInfo>> _entries = new();

    // Most recently used first.
    private readonly LinkedList<ProcessInfo> _order = new();
    private int _addedSinceSweep;

    /// <summary>Creates a cache.</summary>
    /// <param name="reader">Reads <c>/proc</c>.</param>
    /// <param name="capacity">Processes kept at most.</param>
    public ProcessMetadataCache(ProcessMetadataReader reader, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _reader = reader;
        _capacity = capacity;
    }

    /// <summary>Processes cached now.</summary>
    public int Count => _entries.Count;

    /// <summary>The process (pid, start time) whose kernel name is <paramref name="comm"/> (UTF-8, NUL-padded): cached, or read now.</summary>
    public ProcessInfo Get(int pid, ulong startNs, ReadOnlySpan<byte> comm)
    {
        var end = comm.IndexOf((byte)0);
        if (end >= 0)
        {
            comm = comm[..end];
        }

        var key = (pid, startNs);
        if (_entries.TryGetValue(key, out var node))
        {
            if (NameEquals(node.Value.Name, comm))
            {
                MoveToFront(node);
                return node.Value;
            }

            // Same process, new name: it called exec, so its command line and executable changed too.
            _order.Remove(node);
            _entries.Remove(key);
        }

        var process = Read(pid, startNs, Encoding.UTF8.GetString(comm));
        if (_entries.Count >= _capacity)
        {
            var oldest = _order.Last!;
            _order.RemoveLast();
            _entries.Remove((oldest.Value.Pid, oldest.Value.StartTimeNs));
        }

        _entries[key] = _order.AddFirst(process);
        if (++_addedSinceSweep >= SweepEvery)
        {
            _addedSinceSweep = 0;
            SweepExited();
        }

        return process;
    }

    /// <summary>Drops the process (pid, start time): it exited. No-op when it is not cached.</summary>
    /// <returns><see langword="true"/> when an entry was dropped.</returns>
    public bool Forget(int pid, ulong startNs)
    {
        if (!_entries.Remove((pid, startNs), out var node))
        {
            return false;
        }

        _order.Remove(node);
        return true;
    }

    /// <summary>Drops the least recently used entries whose process no longer exists (at most <see cref="SweepChecks"/> checks).</summary>
    public void SweepExited()
    {
        var node = _order.Last;
        for (var checks = 0; node is not null && checks < SweepChecks; checks++)
        {
            var previous = node.Previous;
            if (!_reader.Exists(node.Value.Pid))
            {
                _order.Remove(node);
                _entries.Remove((node.Value.Pid, node.Value.StartTimeNs));
            }

            node = previous;
        }
    }

    private ProcessInfo Read(int pid, ulong startNs, string name)
    {
        var metadata = _reader.Read(pid, startNs);
        return new ProcessInfo(pid, name, startNs)
        {
            CommandLine = metadata.CommandLine,
            ExecutablePath = metadata.ExecutablePath,
            Container = metadata.Container,
        };
    }

    // Compares without decoding: comm is ASCII nearly always, and this runs for every open event.
    private static bool NameEquals(string name, ReadOnlySpan<byte> comm)
    {
        if (name.Length == comm.Length)
        {
            var ascii = true;
            for (var i = 0; i < comm.Length; i++)
            {
                if (comm[i] >= 0x80)
                {
                    ascii = false;
                    break;
                }

                if (comm[i] != name[i])
                {
                    return false;
                }
            }

            if (ascii)
            {
                return true;
            }
        }

        return string.Equals(name, Encoding.UTF8.GetString(comm), StringComparison.Ordinal);
    }

    private void MoveToFront(LinkedListNode<ProcessInfo> node)
    {
        if (node != _order.First)
        {
            _order.Remove(node);
            _order.AddFirst(node);
        }
    }
}
