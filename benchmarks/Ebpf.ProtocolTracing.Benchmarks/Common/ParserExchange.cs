using System.Buffers;
using System.Net;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Common;

/// <summary>
/// One connection parser on one long-lived connection, as the pipeline drives it: bytes of each direction
/// are fed at that direction's stream position, and every call answers how many records it produced so a
/// benchmark can return that number (and its setup can check it).
/// </summary>
internal sealed class ParserExchange : IParseContext
{
    private readonly IConnectionParser _parser;
    private readonly IPEndPoint? _currentPeer;
    private long _egress;
    private long _ingress;
    private int _records;

    /// <summary>Opens a connection parser of <paramref name="protocol"/> on <paramref name="connection"/>.</summary>
    /// <param name="protocol">The protocol whose connection parser is measured.</param>
    /// <param name="connection">The connection it parses; a client connection of pid 1 when not given.</param>
    /// <param name="currentPeer">The datagram peer the parser is told about (UDP only).</param>
    public ParserExchange(IProtocolParser protocol, ConnectionInfo? connection = null, IPEndPoint? currentPeer = null)
    {
        Connection = connection ?? new ConnectionInfo
        {
            Id = new ConnectionId(1, 3, 1),
            Process = ProcessInfo.FromPid(1),
            Role = ConnectionRole.Client,
        };
        _currentPeer = currentPeer;
        _parser = protocol.CreateConnectionParser(this);
    }

    /// <inheritdoc />
    public ConnectionInfo Connection { get; }

    /// <inheritdoc />
    public IPEndPoint? CurrentPeer => _currentPeer;

    /// <summary>Feeds <paramref name="egress"/>, then <paramref name="ingress"/>, each at its stream's position.</summary>
    /// <returns>The records the two produced.</returns>
    public int Exchange(ReadOnlySequence<byte> egress, ReadOnlySequence<byte> ingress) =>
        Feed(StreamDirection.Egress, egress) + Feed(StreamDirection.Ingress, ingress);

    /// <summary>Feeds <paramref name="egress"/>, then <paramref name="ingress"/>, each at its stream's position.</summary>
    /// <returns>The records the two produced.</returns>
    public int Exchange(byte[] egress, byte[] ingress) =>
        Exchange(new ReadOnlySequence<byte>(egress), new ReadOnlySequence<byte>(ingress));

    /// <summary>Feeds <paramref name="bytes"/> at the position <paramref name="direction"/> has reached, then moves it past them.</summary>
    /// <returns>The records the bytes produced.</returns>
    public int Feed(StreamDirection direction, ReadOnlySequence<byte> bytes)
    {
        ref long position = ref direction == StreamDirection.Egress ? ref _egress : ref _ingress;
        int produced = FeedAt(direction, bytes, position);
        position += bytes.Length;
        return produced;
    }

    /// <summary>Feeds <paramref name="bytes"/> at the position <paramref name="direction"/> has reached, then moves it past them.</summary>
    /// <returns>The records the bytes produced.</returns>
    public int Feed(StreamDirection direction, byte[] bytes) => Feed(direction, new ReadOnlySequence<byte>(bytes));

    /// <summary>
    /// Feeds one whole datagram at <paramref name="direction"/>'s datagram number (0, 1, 2, ...), then moves
    /// that number on by one, as the pipeline numbers UDP datagrams.
    /// </summary>
    /// <returns>The records the datagram produced.</returns>
    public int FeedDatagram(StreamDirection direction, ReadOnlySequence<byte> datagram)
    {
        ref long number = ref direction == StreamDirection.Egress ? ref _egress : ref _ingress;
        return FeedAt(direction, datagram, number++);
    }

    /// <summary>
    /// Feeds <paramref name="bytes"/> at an explicit <paramref name="position"/>, leaving the tracked stream
    /// positions alone (datagram numbers, or traffic that restarts at the same position on every call).
    /// </summary>
    /// <returns>The records the bytes produced.</returns>
    public int FeedAt(StreamDirection direction, ReadOnlySequence<byte> bytes, long position)
    {
        int before = _records;
        _parser.Parse(direction, bytes, position, out _);
        return _records - before;
    }

    /// <summary>
    /// Fails the setup when a benchmark's traffic did not produce the records its description promises,
    /// so a broken payload is not measured as a fast one.
    /// </summary>
    /// <param name="benchmark">The benchmark that ran.</param>
    /// <param name="produced">The records its call returned.</param>
    /// <param name="expected">The records it should make.</param>
    public static void ExpectRecords(string benchmark, int produced, int expected)
    {
        if (produced != expected)
        {
            throw new InvalidOperationException(
                $"{benchmark} produced {produced} records instead of {expected}: the benchmark traffic no longer matches the parser; fix the payload built in Setup.");
        }
    }

    /// <inheritdoc />
    public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

    /// <inheritdoc />
    public void Emit(ProtocolRecord record) => _records++;
}
