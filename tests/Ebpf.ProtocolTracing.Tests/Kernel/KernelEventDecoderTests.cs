using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

// The records are built byte by byte at the offsets of native/bpf/include/trace_events.h, so these
// tests also check that the C# mirror of the wire format matches the C header.
public sealed class KernelEventDecoderTests
{
    private static byte[] Header(KernelEventKind kind, int size, uint tgid = 4242, int fd = 7, ulong generation = 0x1122334455667788)
    {
        var raw = new byte[size];
        raw[0] = (byte)kind;
        raw[1] = 1; // protocol: HTTP
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), (ushort)KernelEventFlags.Midstream);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 4243);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(8), 123_456_789);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(16), tgid);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(20), fd);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(24), generation);
        return raw;
    }

    private static byte[] DataRecord(byte[] payload, uint capturedLength, uint originalLength, int trailingPadding = 0, byte direction = 1)
    {
        var raw = Header(KernelEventKind.Data, KernelEventLayout.DataEventHeaderSize + payload.Length + trailingPadding);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(40), capturedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(44), originalLength);
        raw[48] = direction;
        raw[49] = (byte)KernelSource.Recvfrom;
        payload.CopyTo(raw, KernelEventLayout.DataEventHeaderSize);
        return raw;
    }

    [Fact]
    public void Open_event_is_decoded_field_by_field()
    {
        var raw = Header(KernelEventKind.Open, KernelEventLayout.OpenEventSize);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), 987_654_321);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(40), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(42), 8080);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(44), 54321);
        raw[46] = (byte)KernelRole.Server;
        raw[47] = 1;
        new byte[] { 127, 0, 0, 1 }.CopyTo(raw, 48);
        new byte[] { 10, 1, 2, 3 }.CopyTo(raw, 64);
        Encoding.ASCII.GetBytes("nginx").CopyTo(raw, 80);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));

        var open = Assert.Single(sink.Opens);
        Assert.Equal(KernelEventKind.Open, open.Header.Kind);
        Assert.Equal(1, open.Header.Protocol);
        Assert.Equal(KernelEventFlags.Midstream, open.Header.Flags);
        Assert.Equal(4243u, open.Header.Tid);
        Assert.Equal(123_456_789ul, open.Header.TimestampNs);
        Assert.Equal(new ConnectionId(4242, 7, 0x1122334455667788), open.Header.Conn.ToConnectionId());
        Assert.Equal(987_654_321ul, open.ProcessStartNs);
        Assert.Equal(2, open.Family);
        Assert.Equal(8080, open.LocalPort);
        Assert.Equal(54321, open.RemotePort);
        Assert.Equal(KernelRole.Server, open.Role);
        Assert.Equal(1, open.Transport);
        unsafe
        {
            Assert.Equal(new byte[] { 127, 0, 0, 1 }, new ReadOnlySpan<byte>(open.LocalAddr, 4).ToArray());
            Assert.Equal(new byte[] { 10, 1, 2, 3 }, new ReadOnlySpan<byte>(open.RemoteAddr, 4).ToArray());
            Assert.Equal("nginx", Encoding.ASCII.GetString(new ReadOnlySpan<byte>(open.Comm, 16)).TrimEnd('\0'));
        }

        Assert.Empty(sink.Closes);
        Assert.Empty(sink.Data);
    }

    [Fact]
    public void Close_event_is_decoded()
    {
        var raw = Header(KernelEventKind.Close, KernelEventLayout.CloseEventSize, tgid: 9, fd: 3, generation: 5);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), 111);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(40), 222);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));

        var close = Assert.Single(sink.Closes);
        Assert.Equal(new ConnectionId(9, 3, 5), close.Header.Conn.ToConnectionId());
        Assert.Equal(111ul, close.BytesSent);
        Assert.Equal(222ul, close.BytesReceived);
    }

    [Fact]
    public void Data_event_hands_over_exactly_the_captured_payload()
    {
        var payload = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n");
        // Perf buffer samples are padded to 8 bytes: trailing bytes must not leak into the payload.
        var raw = DataRecord(payload, (uint)payload.Length, originalLength: 100, trailingPadding: 7);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));

        var (data, bytes) = Assert.Single(sink.Data);
        Assert.Equal(1000ul, data.Position);
        Assert.Equal((uint)payload.Length, data.CapturedLength);
        Assert.Equal(100u, data.OriginalLength);
        Assert.Equal(StreamDirection.Ingress, data.Direction);
        Assert.Equal(KernelSource.Recvfrom, data.Source);
        Assert.Equal(payload, bytes);
    }

    [Fact]
    public void Data_event_with_nothing_captured_is_a_pure_gap()
    {
        var raw = DataRecord([], capturedLength: 0, originalLength: 65536);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));

        var (data, bytes) = Assert.Single(sink.Data);
        Assert.Equal(65536u, data.OriginalLength);
        Assert.Empty(bytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(KernelEventLayout.HeaderSize - 1)]
    public void Record_shorter_than_a_header_is_rejected(int length)
    {
        var raw = new byte[length];
        if (length > 0)
        {
            raw[0] = (byte)KernelEventKind.Open;
        }

        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.Empty(sink.Opens);
    }

    [Theory]
    [InlineData((byte)KernelEventKind.Open, KernelEventLayout.OpenEventSize)]
    [InlineData((byte)KernelEventKind.Close, KernelEventLayout.CloseEventSize)]
    [InlineData((byte)KernelEventKind.Data, KernelEventLayout.DataEventHeaderSize)]
    [InlineData((byte)KernelEventKind.Datagram, KernelEventLayout.DatagramEventHeaderSize)]
    [InlineData((byte)KernelEventKind.ProcessExit, KernelEventLayout.ProcessExitEventSize)]
    public void Truncated_event_is_rejected(byte kind, int fullSize)
    {
        var raw = Header((KernelEventKind)kind, fullSize)[..(fullSize - 1)];
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.Empty(sink.Opens);
        Assert.Empty(sink.Closes);
        Assert.Empty(sink.Data);
        Assert.Empty(sink.Datagrams);
        Assert.Empty(sink.ProcessExits);
    }

    [Fact]
    public void Process_exit_is_decoded_with_its_process()
    {
        var raw = Header(KernelEventKind.ProcessExit, KernelEventLayout.ProcessExitEventSize + 4, tgid: 777, fd: -1, generation: 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(KernelEventLayout.HeaderSize), 0xABCDEF);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.True(sink.ProcessExits.TryDequeue(out var exit));
        Assert.Equal(777u, exit.Header.Conn.Tgid);
        Assert.Equal(0xABCDEFUL, exit.ProcessStartNs);
        Assert.Empty(sink.Closes);
    }

    [Fact]
    public void Captured_length_beyond_the_record_is_rejected()
    {
        var raw = DataRecord(new byte[10], capturedLength: 11, originalLength: 11);
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.Empty(sink.Data);
    }

    [Fact]
    public void Captured_length_above_the_kernel_chunk_limit_is_rejected()
    {
        var size = KernelEventLayout.MaxChunk + 1;
        var raw = DataRecord(new byte[size], capturedLength: (uint)size, originalLength: (uint)size);
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.Empty(sink.Data);
    }

    [Fact]
    public void Captured_length_above_the_original_length_is_rejected()
    {
        var raw = DataRecord(new byte[10], capturedLength: 10, originalLength: 9);
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
    }

    [Fact]
    public void Unknown_direction_is_rejected()
    {
        var raw = DataRecord(new byte[4], capturedLength: 4, originalLength: 4, direction: 2);
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(255)]
    public void Unknown_kind_is_rejected(byte kind)
    {
        var raw = Header(KernelEventKind.Close, KernelEventLayout.OpenEventSize);
        raw[0] = kind;
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(raw, sink));
        Assert.Empty(sink.Opens);
        Assert.Empty(sink.Closes);
        Assert.Empty(sink.Data);
    }

    private static byte[] DatagramRecord(byte[] payload, uint capturedLength, uint originalLength, byte direction = 1)
    {
        var raw = Header(KernelEventKind.Datagram, KernelEventLayout.DatagramEventHeaderSize + payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), 41);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(40), capturedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(44), originalLength);
        raw[48] = direction;
        raw[49] = (byte)KernelSource.Recvmsg;
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(50), 10);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(52), 53);
        raw[56] = 0xfe;
        raw[57] = 0x80;
        raw[71] = 1;
        payload.CopyTo(raw, KernelEventLayout.DatagramEventHeaderSize);
        return raw;
    }

    [Fact]
    public void Datagram_event_is_decoded_with_its_peer_and_payload()
    {
        var payload = Encoding.ASCII.GetBytes("one whole datagram");
        var raw = DatagramRecord(payload, (uint)payload.Length, (uint)payload.Length + 5);
        var sink = new RecordingKernelEventSink();

        Assert.True(KernelEventDecoder.TryDispatch(raw, sink));

        var (datagram, captured) = Assert.Single(sink.Datagrams);
        Assert.Equal(KernelEventKind.Datagram, datagram.Header.Kind);
        Assert.Equal(new ConnectionId(4242, 7, 0x1122334455667788), datagram.Header.Conn.ToConnectionId());
        Assert.Equal(41ul, datagram.Sequence);
        Assert.Equal((uint)payload.Length, datagram.CapturedLength);
        Assert.Equal((uint)payload.Length + 5, datagram.OriginalLength);
        Assert.Equal(StreamDirection.Ingress, datagram.Direction);
        Assert.Equal(KernelSource.Recvmsg, datagram.Source);
        Assert.Equal(10, datagram.Family);
        Assert.Equal(53, datagram.PeerPort);
        unsafe
        {
            var address = new ReadOnlySpan<byte>(datagram.PeerAddr, 16).ToArray();
            Assert.Equal(System.Net.IPAddress.Parse("fe80::1"), new System.Net.IPAddress(address));
        }

        Assert.Equal(payload, captured);
        Assert.Empty(sink.Data);
    }

    [Fact]
    public void Datagram_with_captured_length_beyond_the_record_or_original_is_rejected()
    {
        var sink = new RecordingKernelEventSink();

        Assert.False(KernelEventDecoder.TryDispatch(DatagramRecord(new byte[10], capturedLength: 11, originalLength: 11), sink));
        Assert.False(KernelEventDecoder.TryDispatch(DatagramRecord(new byte[10], capturedLength: 10, originalLength: 9), sink));
        Assert.False(KernelEventDecoder.TryDispatch(DatagramRecord(new byte[4], capturedLength: 4, originalLength: 4, direction: 2), sink));
        Assert.Empty(sink.Datagrams);
    }
}
