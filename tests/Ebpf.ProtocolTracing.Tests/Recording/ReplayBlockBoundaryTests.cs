using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Recording;

namespace Ebpf.ProtocolTracing.Tests.Recording;

/// <summary>
/// The replayer reads recordings in large blocks and slices records out of them: records that straddle
/// a block's end, and inputs that deliver only a few bytes per read, must replay exactly.
/// </summary>
public sealed class ReplayBlockBoundaryTests : IDisposable
{
    private const int Exchanges = 400;
    private static readonly ConnectionId Connection = new(77, 5, 1);

    private readonly string _directory = Directory.CreateTempSubdirectory("replay-blocks-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_recording_of_many_blocks_replays_every_record_in_order()
    {
        var bytes = Build(out var requestBytes);
        Assert.True(bytes.Length > 3 * 256 * 1024, "the recording must span several read blocks to test their boundaries");
        var path = Path.Combine(_directory, "many-blocks.ptrace");
        await File.WriteAllBytesAsync(path, bytes);

        var index = 0;
        await foreach (var record in ProtocolReplay.ReadRecordsAsync(path))
        {
            var http = Assert.IsType<HttpRecord>(record);
            Assert.Equal($"/items/{index}", http.Target);
            Assert.Equal(Padding(index).Length, http.RequestHeaders["X-Pad"]!.Length);
            Assert.Equal(200, http.StatusCode);
            Assert.False(http.DataLost);
            index++;
        }

        Assert.Equal(Exchanges, index);
        Assert.True(requestBytes > 0);
    }

    [Fact]
    public async Task An_input_that_returns_a_few_bytes_per_read_replays_the_same_events()
    {
        var bytes = Build(out var requestBytes);
        using var trickle = new TrickleStream(bytes, maxPerRead: 977);
        using var replayer = await KernelEventReplayer.OpenAsync(trickle, ownsInput: false, "trickle", CancellationToken.None);
        var sink = new CountingSink();
        while (await replayer.ReadNextAsync(CancellationToken.None))
        {
            replayer.Dispatch(sink);
        }

        Assert.Equal(1, sink.Opens);
        Assert.Equal(2 * Exchanges, sink.DataEvents);
        Assert.Equal(requestBytes, sink.EgressBytes);
        Assert.Equal((ulong)((2 * Exchanges) + 1), replayer.RecordsRead);
    }

    private static string Padding(int index) => new('p', (index * 997) % 7_000);

    private static byte[] Build(out long requestBytes)
    {
        using var builder = new RecordingBuilder();
        builder.Open(Connection, 1_000, 40_000, 80, KernelRole.Client);
        long egress = 0;
        long ingress = 0;
        ulong now = 2_000;
        for (var i = 0; i < Exchanges; i++)
        {
            var request = $"GET /items/{i} HTTP/1.1\r\nHost: shop\r\nX-Pad: {Padding(i)}\r\n\r\n";
            const string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            builder.Data(Connection, StreamDirection.Egress, egress, now += 1_000, request);
            builder.Data(Connection, StreamDirection.Ingress, ingress, now += 1_000, response);
            egress += request.Length;
            ingress += response.Length;
        }

        requestBytes = egress;
        return builder.ToArray();
    }

    private sealed class CountingSink : IKernelEventSink
    {
        public int Opens { get; private set; }

        public int DataEvents { get; private set; }

        public long EgressBytes { get; private set; }

        public void OnOpen(in OpenEvent e) => Opens++;

        public void OnClose(in CloseEvent e)
        {
        }

        public void OnData(in DataEvent e, ReadOnlySpan<byte> payload)
        {
            DataEvents++;
            if (e.Direction == StreamDirection.Egress)
            {
                EgressBytes += payload.Length;
            }
        }

        public void OnLost(ulong count)
        {
        }
    }

    /// <summary>A stream that hands out at most a few bytes per read, as a pipe or a slow disk may.</summary>
    private sealed class TrickleStream(byte[] data, int maxPerRead) : MemoryStream(data, writable: false)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, maxPerRead)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxPerRead));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, maxPerRead)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, maxPerRead), cancellationToken);
    }
}
