using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Recording;
using Ebpf.ProtocolTracing.Tests.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Recording;

/// <summary>Recordings built event by event, replayed through the tracker and the HTTP parser; damaged files.</summary>
public sealed class ProtocolReplayTests : IDisposable
{
    private const string Request = "GET /items/7?full=1 HTTP/1.1\r\nHost: shop\r\n\r\n";
    private const string Response = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";
    private const ulong RequestNs = 5_000_000_000;
    private const ulong ResponseNs = 5_250_000_000;

    private readonly string _directory = Directory.CreateTempSubdirectory("protocol-replay-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_recorded_exchange_replays_into_the_same_HttpRecord_with_its_recorded_times()
    {
        var path = await WriteAsync(BuildExchange(out var forwarded));
        Assert.Equal(4, forwarded);

        var records = await ReplayAsync(path);

        var record = Assert.IsType<HttpRecord>(Assert.Single(records));
        Assert.Equal("GET", record.Method);
        Assert.Equal("/items/7?full=1", record.Target);
        Assert.Equal(404, record.StatusCode);
        Assert.Equal(4, record.ResponseBodySize);
        Assert.Equal(TrackerHarness.Pid, record.Pid);
        Assert.Equal("recorded", record.ProcessName);
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal(8080, record.LocalEndPoint?.Port);
        Assert.Equal(50123, record.RemoteEndPoint?.Port);
        Assert.Equal(TrackerHarness.At(RequestNs), record.RequestTime);
        Assert.Equal(TimeSpan.FromMilliseconds(250), record.Latency);
        Assert.False(record.DataLost);
    }

    [Fact]
    public async Task The_header_holds_the_magic_both_versions_and_the_clock_offset()
    {
        var bytes = BuildExchange(out _);

        Assert.Equal("EBPFPTRC"u8.ToArray(), bytes[..8]);
        Assert.Equal(KernelRecordingFormat.FormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(KernelEventLayout.Version, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)));
        Assert.Equal(32u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(TrackerHarness.MonotonicZero.UtcTicks, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal((uint)KernelEventLayout.OpenEventSize, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.Equal((byte)KernelEventKind.Open, bytes[36]);
    }

    [Fact]
    public async Task A_lost_events_marker_replays_without_a_record_and_without_harm()
    {
        using var builder = new RecordingBuilder();
        var id = TrackerHarness.Id();
        builder.Lost(3).Open(id, RequestNs - 1, 8080, 50123, KernelRole.Server)
            .Data(id, StreamDirection.Ingress, 0, RequestNs, Request)
            .Data(id, StreamDirection.Egress, 0, ResponseNs, Response);
        var path = await WriteAsync(builder.ToArray());

        var record = Assert.IsType<HttpRecord>(Assert.Single(await ReplayAsync(path)));
        Assert.Equal(404, record.StatusCode);
    }

    [Fact]
    public async Task A_recording_cut_at_any_byte_fails_with_the_offset_after_yielding_what_came_before()
    {
        var whole = BuildExchange(out _);
        var responseEventEnd = whole.Length - (4 + KernelEventLayout.CloseEventSize);
        var recordEnds = RecordEnds(whole);
        for (var cut = 1; cut < whole.Length; cut++)
        {
            var path = await WriteAsync(whole[..cut]);
            if (recordEnds.Contains(cut))
            {
                // A cut between records is a shorter, valid recording.
                await ReplayAsync(path);
                continue;
            }

            var records = new List<ProtocolRecord>();
            var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
            {
                await foreach (var record in ProtocolReplay.ReadRecordsAsync(path))
                    records.Add(record);
            });

            if (cut >= 32)
            {
                Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
                Assert.Contains("offset ", error.Message, StringComparison.Ordinal);
            }

            // Events before the cut were replayed: the exchange is complete once its response event is whole.
            Assert.Equal(cut >= responseEventEnd ? 1 : 0, records.Count);
        }
    }

    [Fact]
    public async Task An_impossible_record_length_is_refused_with_its_offset_before_any_allocation()
    {
        var bytes = BuildExchange(out _);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), 0x7FFF_FFF0);
        var path = await WriteAsync(bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReplayAsync(path));
        Assert.Contains("corrupt at offset 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_that_is_not_a_kernel_event_is_refused_with_its_offset()
    {
        var bytes = BuildExchange(out _);
        bytes[36] = 0x77; // the open event's kind
        var path = await WriteAsync(bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReplayAsync(path));
        Assert.Contains("corrupt at offset 32", error.Message, StringComparison.Ordinal);
        Assert.Contains("kind 119", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_event_claiming_more_bytes_than_it_holds_is_refused()
    {
        var bytes = BuildExchange(out _);
        var dataRecord = 32 + 4 + KernelEventLayout.OpenEventSize;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dataRecord + 4 + 40), 4000); // captured_len
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dataRecord + 4 + 44), 4000); // original_len
        var path = await WriteAsync(bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReplayAsync(path));
        Assert.Contains($"corrupt at offset {dataRecord}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "not a protocol-trace recording")]
    [InlineData(8, "format version 9")]
    [InlineData(10, "wire-format version 9")]
    [InlineData(12, "header size of 9 bytes")]
    public async Task A_foreign_or_newer_header_is_refused_with_what_to_do(int field, string expected)
    {
        var bytes = BuildExchange(out _);
        if (field == 0)
            bytes[0] = (byte)'X';
        else if (field == 12)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(field), 9);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(field), 9);
        var path = await WriteAsync(bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReplayAsync(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_damage_never_crashes_or_hangs_only_replays_or_reports_invalid_data()
    {
        var whole = BuildExchange(out _);
        var random = new Random(20250101);
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])whole.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(32, bytes.Length)] = (byte)random.Next(256);
            var path = await WriteAsync(bytes);
            try
            {
                await ReplayAsync(path);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("offset", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_missing_file_says_so()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => ReplayAsync(Path.Combine(_directory, "absent.ptrace")));
    }

    private static byte[] BuildExchange(out int forwarded)
    {
        using var builder = new RecordingBuilder();
        var id = TrackerHarness.Id();
        builder.Open(id, RequestNs - 1_000, 8080, 50123, KernelRole.Server)
            .Data(id, StreamDirection.Ingress, 0, RequestNs, Request)
            .Data(id, StreamDirection.Egress, 0, ResponseNs, Response)
            .Close(id, ResponseNs + 1_000, Response.Length, Request.Length);
        var bytes = builder.ToArray();
        forwarded = builder.ForwardedEvents;
        return bytes;
    }

    private static HashSet<int> RecordEnds(byte[] recording)
    {
        var ends = new HashSet<int> { 32 };
        for (var offset = 32; offset < recording.Length;)
        {
            offset += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(recording.AsSpan(offset));
            ends.Add(offset);
        }

        return ends;
    }

    private static async Task<List<ProtocolRecord>> ReplayAsync(string path)
    {
        var records = new List<ProtocolRecord>();
        await foreach (var record in ProtocolReplay.ReadRecordsAsync(path))
            records.Add(record);
        return records;
    }

    private async Task<string> WriteAsync(byte[] bytes)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.ptrace");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }
}
