using System.Net;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>Builds <see cref="ConnectionInfo"/> from open events, sharing one <see cref="ProcessInfo"/> per process.</summary>
internal sealed class ConnectionInfoFactory
{
    private const ushort AddressFamilyInet = 2;
    private const ushort AddressFamilyInet6 = 10;

    // One ProcessInfo per process, with what /proc tells about it read once, at its first open event.
    private readonly ProcessMetadataCache _processes;

    // The endpoints of the previous open event, reused when the next one repeats them: a server's
    // connections share their local endpoint and often their clients' address, so ten thousand
    // connections need not hold ten thousand equal endpoint objects.
    private IPEndPoint? _lastLocal;
    private IPEndPoint? _lastRemote;

    /// <summary>Creates a factory.</summary>
    /// <param name="metadataReader">Reads command lines, executables and containers; default: from <c>/proc</c>.</param>
    public ConnectionInfoFactory(ProcessMetadataReader? metadataReader = null)
        => _processes = new ProcessMetadataCache(metadataReader ?? new ProcessMetadataReader());

    /// <summary>What is known from a data event alone: the process id.</summary>
    public static ConnectionInfo FromId(ConnectionId id, bool encrypted) => new()
    {
        Id = id,
        Process = ProcessInfo.FromPid(id.Pid),
        Role = ConnectionRole.Unknown,
        Transport = TransportProtocol.Unknown,
        Encrypted = encrypted,
    };

    /// <summary>
    /// Forgets the process (pid, start time) once it exited: records already built keep their
    /// <see cref="ProcessInfo"/>; a later process with the same pid is read anew.
    /// </summary>
    public void ForgetProcess(int pid, ulong startNs) => _processes.Forget(pid, startNs);

    public unsafe ConnectionInfo FromOpenEvent(in OpenEvent e, bool encrypted)
    {
        var id = e.Header.Conn.ToConnectionId();
        IPEndPoint? local = null;
        IPEndPoint? remote = null;
        fixed (byte* localAddress = e.LocalAddr)
        fixed (byte* remoteAddress = e.RemoteAddr)
        fixed (byte* comm = e.Comm)
        {
            var addressLength = e.Family switch
            {
                AddressFamilyInet => 4,
                AddressFamilyInet6 => 16,
                _ => 0,
            };
            if (addressLength != 0)
            {
                local = _lastLocal = EndPoint(new ReadOnlySpan<byte>(localAddress, addressLength), e.LocalPort, _lastLocal);
                remote = _lastRemote = EndPoint(new ReadOnlySpan<byte>(remoteAddress, addressLength), e.RemotePort, _lastRemote);
            }

            return new ConnectionInfo
            {
                Id = id,
                Process = _processes.Get(id.Pid, e.ProcessStartNs, new ReadOnlySpan<byte>(comm, 16)),
                LocalEndPoint = local,
                RemoteEndPoint = remote,
                Role = e.Role switch
                {
                    KernelRole.Client => ConnectionRole.Client,
                    KernelRole.Server => ConnectionRole.Server,
                    _ => ConnectionRole.Unknown,
                },
                Transport = e.Transport switch
                {
                    1 => TransportProtocol.Tcp,
                    2 => TransportProtocol.Udp,
                    _ => TransportProtocol.Unknown,
                },
                Encrypted = encrypted,
            };
        }
    }

    /// <summary><paramref name="previous"/> when it is the same endpoint; else a new one, sharing its address when that is the same.</summary>
    private static IPEndPoint EndPoint(ReadOnlySpan<byte> address, ushort port, IPEndPoint? previous)
    {
        if (previous is not null && IsAddress(previous.Address, address))
        {
            return previous.Port == port ? previous : new IPEndPoint(previous.Address, port);
        }

        return new IPEndPoint(new IPAddress(address), port);
    }

    private static bool IsAddress(IPAddress candidate, ReadOnlySpan<byte> address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return candidate.TryWriteBytes(bytes, out var written) && written == address.Length && bytes[..written].SequenceEqual(address);
    }
}
