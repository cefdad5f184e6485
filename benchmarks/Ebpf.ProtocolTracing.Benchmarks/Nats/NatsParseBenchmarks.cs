using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Benchmarks.Nats;

/// <summary>
/// The full NATS path on one long-lived connection: frame the control lines and payloads of both
/// directions, build the <see cref="NatsRecord"/>s. Divide the allocation by <see cref="RecordsPerBatch"/>
/// for bytes per record.
/// </summary>
[MemoryDiagnoser]
public class NatsParseBenchmarks
{
    /// <summary>Publishes in one batch; each is delivered back, so a batch makes twice as many records.</summary>
    public const int Publishes = 16;

    /// <summary>Records one <see cref="PublishAndDeliver"/> call makes.</summary>
    public const int RecordsPerBatch = 2 * Publishes;

    private const int LargePayloadBytes = 1024 * 1024;

    private readonly CountingContext _context = new();
    private IConnectionParser _parser = null!;
    private ReadOnlySequence<byte> _publishes;
    private ReadOnlySequence<byte> _deliveries;
    private ReadOnlySequence<byte> _largeDelivery;
    private long _egress;
    private long _ingress;

    [GlobalSetup]
    public void Setup()
    {
        _parser = new NatsParser().CreateConnectionParser(_context);
        const string payload = "a payload of some thirty-two b..";
        var publishes = new StringBuilder();
        var deliveries = new StringBuilder();
        for (int i = 0; i < Publishes; i++)
        {
            publishes.Append(CultureInfo.InvariantCulture, $"PUB orders.{i} _INBOX.abcdef.{i} {payload.Length}\r\n{payload}\r\n");
            deliveries.Append(CultureInfo.InvariantCulture, $"MSG orders.{i} 1 _INBOX.abcdef.{i} {payload.Length}\r\n{payload}\r\n");
        }

        _publishes = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(publishes.ToString()));
        _deliveries = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(deliveries.ToString()));
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"MSG blobs 2 {LargePayloadBytes}\r\n"));
        var large = new byte[header.Length + LargePayloadBytes + 2];
        header.CopyTo(large, 0);
        large.AsSpan(header.Length, LargePayloadBytes).Fill((byte)'x');
        "\r\n"u8.CopyTo(large.AsSpan(header.Length + LargePayloadBytes));
        _largeDelivery = new ReadOnlySequence<byte>(large);

        if (PublishAndDeliver() != RecordsPerBatch || LargeDelivery() != 1)
        {
            throw new InvalidOperationException("The benchmark traffic did not produce the expected records.");
        }
    }

    /// <summary>Bytes of one <see cref="PublishAndDeliver"/> call (both directions).</summary>
    public long BatchBytes => _publishes.Length + _deliveries.Length;

    /// <summary>16 PUBs with 32-byte payloads and reply inboxes, then their 16 MSG deliveries: 32 records.</summary>
    [Benchmark]
    public int PublishAndDeliver()
    {
        int before = _context.Count;
        _parser.Parse(StreamDirection.Egress, _publishes, _egress, out _);
        _egress += _publishes.Length;
        _parser.Parse(StreamDirection.Ingress, _deliveries, _ingress, out _);
        _ingress += _deliveries.Length;
        return _context.Count - before;
    }

    /// <summary>One MSG with a 1 MiB payload: streamed past, 256 bytes kept.</summary>
    [Benchmark]
    public int LargeDelivery()
    {
        int before = _context.Count;
        _parser.Parse(StreamDirection.Ingress, _largeDelivery, _ingress, out _);
        _ingress += _largeDelivery.Length;
        return _context.Count - before;
    }

    private sealed class CountingContext : IParseContext
    {
        public int Count;

        public ConnectionInfo Connection { get; } = new()
        {
            Id = new ConnectionId(1, 3, 1),
            Process = ProcessInfo.FromPid(1),
            Role = ConnectionRole.Client,
        };

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => DateTimeOffset.UnixEpoch;

        public void Emit(ProtocolRecord record) => Count++;
    }
}
