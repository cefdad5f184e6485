using System.Net;

namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>What a connection parser needs from the pipeline that feeds it.</summary>
public interface IParseContext
{
    /// <summary>The connection being parsed; may be replaced as more becomes known (e.g. the role).</summary>
    ConnectionInfo Connection { get; }

    /// <summary>When the byte at <paramref name="streamPosition"/> of a stream crossed the syscall boundary.</summary>
    DateTimeOffset TimeAt(StreamDirection direction, long streamPosition);

    /// <summary>Hands a finished record to the pipeline.</summary>
    void Emit(ProtocolRecord record);

    /// <summary>
    /// While a UDP datagram is being parsed: its peer (the sender of a received datagram, the
    /// destination of a sent one); <see langword="null"/> for stream bytes and when the kernel could not tell.
    /// </summary>
    /// <remarks>
    /// On a UDP connection (<see cref="ConnectionInfo.Transport"/> is <see cref="TransportProtocol.Udp"/>)
    /// each <see cref="IConnectionParser.Parse"/> call carries exactly one whole datagram, never merged
    /// with the next, and its stream position is the datagram's number in that direction (0, 1, 2, ...).
    /// An unconnected socket talks to many peers, so records should take their remote endpoint from here.
    /// </remarks>
    IPEndPoint? CurrentPeer => null;
}
