using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
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

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _publishes;
    private ReadOnlySequence<byte> _deliveries;
    private ReadOnlySequence<byte> _largeDelivery;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new NatsParser());
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

        ParserExchange.ExpectRecords(nameof(PublishAndDeliver), PublishAndDeliver(), RecordsPerBatch);
        ParserExchange.ExpectRecords(nameof(LargeDelivery), LargeDelivery(), 1);
    }

    /// <summary>Bytes of one <see cref="PublishAndDeliver"/> call (both directions).</summary>
    public long BatchBytes => _publishes.Length + _deliveries.Length;

    /// <summary>16 PUBs with 32-byte payloads and reply inboxes, then their 16 MSG deliveries: 32 records.</summary>
    [Benchmark]
    public int PublishAndDeliver() => _connection.Exchange(_publishes, _deliveries);

    /// <summary>One MSG with a 1 MiB payload: streamed past, 256 bytes kept.</summary>
    [Benchmark]
    public int LargeDelivery() => _connection.Feed(StreamDirection.Ingress, _largeDelivery);
}
