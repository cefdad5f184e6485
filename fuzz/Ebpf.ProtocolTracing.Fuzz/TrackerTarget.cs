using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// The connection tracker's event path with every built-in parser: the input's events
/// (<see cref="TrackerInput"/>) are written as a recording and replayed, which decodes each raw event
/// with the same decoder as a live buffer and runs the same tracker.
/// </summary>
internal sealed class TrackerTarget : IFuzzTarget
{
    private readonly string _path = Path.Combine(
        Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
        $"protocol-fuzz-{Environment.ProcessId}.ptrace");

    public string Name => "tracker";

    public int Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return 0;
        }

        var records = TrackerInput.Decode(input);
        WriteRecording(records);
        var tight = (input[0] & 1) != 0;
        var options = new ProtocolTracingOptions();
        if (tight)
        {
            options.MaxBufferedBytesPerConnection = 64 * 1024;
            options.MaxConnections = 2;
        }

        var budget = AllocationBudget.Start(input.Length);
        var count = Replay(options).AsTask().GetAwaiter().GetResult();
        budget.Check(Name);
        return count;
    }

    private async ValueTask<int> Replay(ProtocolTracingOptions options)
    {
        int count = 0;
        await foreach (var record in ProtocolReplay.ReadRecordsAsync(_path, options: options).ConfigureAwait(false))
        {
            RecordChecks.Exercise(record);
            count++;
        }

        return count;
    }

    private void WriteRecording(List<byte[]> records)
    {
        using var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        Span<byte> header = stackalloc byte[32];
        header.Clear();
        "EBPFPTRC"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 32);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks);
        file.Write(header);
        Span<byte> prefix = stackalloc byte[4];
        foreach (var record in records)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)record.Length);
            file.Write(prefix);
            file.Write(record);
        }
    }
}
