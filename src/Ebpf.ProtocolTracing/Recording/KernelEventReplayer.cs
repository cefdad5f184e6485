using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Recording;

/// <summary>
/// Reads a kernel event recording (<see cref="KernelRecordingFormat"/>) and dispatches its events, in
/// order, through <see cref="KernelEventDecoder"/> — the same decoding as a live buffer.
/// </summary>
/// <remarks>
/// Reads the file in blocks into one reused buffer sized for a block plus the largest record
/// (<see cref="KernelRecordingFormat.MaxRecordSize"/>), so a corrupt length never causes a large allocation. Damage is reported as an
/// <see cref="InvalidDataException"/> that names the byte offset of the bad record.
/// </remarks>
internal sealed class KernelEventReplayer : IDisposable
{
    private readonly Stream _input;
    private readonly bool _ownsInput;
    // Read in large blocks, records sliced out of them: one stream read per block instead of two per
    // record. Room for one block plus one whole record, so a record never needs a second buffer.
    private const int BlockBytes = 256 * 1024;

    private readonly byte[] _buffer = new byte[BlockBytes + KernelRecordingFormat.LengthPrefixSize + KernelRecordingFormat.MaxRecordSize];
    private readonly string _source;
    private long _offset;
    private int _start;
    private int _end;
    private int _recordStart;
    private int _recordLength;

    private KernelEventReplayer(Stream input, bool ownsInput, string source, DateTimeOffset monotonicZero, int kernelVersion, long offset)
    {
        _input = input;
        _ownsInput = ownsInput;
        _source = source;
        MonotonicZero = monotonicZero;
        KernelLayoutVersion = kernelVersion;
        _offset = offset;
    }

    /// <summary>The wall-clock time at which the recorded kernel's monotonic clock read 0.</summary>
    public DateTimeOffset MonotonicZero { get; }

    /// <summary>The kernel wire-format version of the recorded events.</summary>
    public int KernelLayoutVersion { get; }

    /// <summary>Records read so far (kernel events and lost-events markers).</summary>
    public ulong RecordsRead { get; private set; }

    /// <summary>Opens the recording at <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a recording this version can read.</exception>
    public static async ValueTask<KernelEventReplayer> OpenFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1024 * 1024, useAsync: false);
        try
        {
            return await OpenAsync(file, ownsInput: true, path, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the header from <paramref name="input"/>.</summary>
    /// <param name="input">The recording, positioned at its start.</param>
    /// <param name="ownsInput">Whether <see cref="Dispose"/> closes <paramref name="input"/>.</param>
    /// <param name="source">Names the recording in error messages.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async ValueTask<KernelEventReplayer> OpenAsync(Stream input, bool ownsInput, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fixedPart = new byte[16];
        var read = await input.ReadAtLeastAsync(fixedPart, fixedPart.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < 8 || !fixedPart.AsSpan(0, 8).SequenceEqual(KernelRecordingFormat.Magic))
            throw new InvalidDataException($"'{source}' is not a protocol-trace recording: it does not start with \"EBPFPTRC\". Record one with --record (CLI) or ProtocolTracingOptions.RecordTo.");
        if (read < fixedPart.Length)
            throw new InvalidDataException($"'{source}' ends at offset {read} inside its {KernelRecordingFormat.HeaderSize}-byte header: the file is truncated.");

        var formatVersion = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(8));
        var kernelVersion = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(10));
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(12));
        if (formatVersion != KernelRecordingFormat.FormatVersion)
            throw new InvalidDataException($"'{source}' is recording format version {formatVersion}; this library reads version {KernelRecordingFormat.FormatVersion}. Replay it with the version of Ebpf.ProtocolTracing that recorded it.");
        if (kernelVersion < KernelEventLayout.OldestReadableVersion || kernelVersion > KernelEventLayout.Version)
            throw new InvalidDataException($"'{source}' holds kernel events of wire-format version {kernelVersion}; this library decodes versions {KernelEventLayout.OldestReadableVersion} to {KernelEventLayout.Version}. Replay it with the version of Ebpf.ProtocolTracing that recorded it.");
        if (headerSize < KernelRecordingFormat.HeaderSize || headerSize > 4096)
            throw new InvalidDataException($"'{source}' has a header size of {headerSize} bytes at offset 12 (expected {KernelRecordingFormat.HeaderSize} to 4096): the header is corrupt.");

        var rest = new byte[headerSize - fixedPart.Length];
        read = await input.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < rest.Length)
            throw new InvalidDataException($"'{source}' ends at offset {fixedPart.Length + read} inside its {headerSize}-byte header: the file is truncated.");

        var ticks = BinaryPrimitives.ReadInt64LittleEndian(rest);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            throw new InvalidDataException($"'{source}' has an impossible clock offset ({ticks} ticks) at offset 16: the header is corrupt.");

        return new KernelEventReplayer(input, ownsInput, source, new DateTimeOffset(ticks, TimeSpan.Zero), kernelVersion, headerSize);
    }

    /// <summary>Reads the next record into the internal buffer.</summary>
    /// <returns><see langword="false"/> at the clean end of the recording.</returns>
    /// <exception cref="InvalidDataException">The recording is truncated or a length is impossible.</exception>
    public ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        // Fast path: the whole record is in the current block already, so no await and no state machine.
        var available = _end - _start;
        if (available >= KernelRecordingFormat.LengthPrefixSize)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
            if (length >= KernelRecordingFormat.LostEventsRecordSize && length <= KernelRecordingFormat.MaxRecordSize
                && available - KernelRecordingFormat.LengthPrefixSize >= length)
            {
                Accept((int)length);
                return new ValueTask<bool>(true);
            }
        }

        return ReadNextSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> ReadNextSlowAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(KernelRecordingFormat.LengthPrefixSize, cancellationToken).ConfigureAwait(false))
        {
            if (_end == _start)
                return false;
            throw Truncated(_offset, "its length prefix");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
        if (length < KernelRecordingFormat.LostEventsRecordSize || length > KernelRecordingFormat.MaxRecordSize)
            throw new InvalidDataException($"'{_source}' is corrupt at offset {_offset}: a record of {length} bytes (a record is {KernelRecordingFormat.LostEventsRecordSize} to {KernelRecordingFormat.MaxRecordSize} bytes).");

        if (!await FillAsync(KernelRecordingFormat.LengthPrefixSize + (int)length, cancellationToken).ConfigureAwait(false))
            throw Truncated(_offset, $"its {length}-byte record");

        Accept((int)length);
        return true;
    }

    /// <summary>Reads until at least <paramref name="needed"/> unread bytes are buffered; false at the end of the input.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _start < needed)
        {
            // Slide the unread bytes to the front so the record fits.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < needed)
        {
            var read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return false;
            _end += read;
        }

        return true;
    }

    private void Accept(int length)
    {
        _recordStart = _start + KernelRecordingFormat.LengthPrefixSize;
        _recordLength = length;
        _start = _recordStart + length;
        RecordOffset = _offset;
        _offset += KernelRecordingFormat.LengthPrefixSize + length;
        RecordsRead++;
    }

    /// <summary>Where the record last read starts in the file (its length prefix).</summary>
    public long RecordOffset { get; private set; }

    /// <summary>The kernel timestamp of the record last read; 0 for a lost-events marker.</summary>
    public ulong CurrentTimestampNs => _buffer[_recordStart] == KernelRecordingFormat.LostEventsKind
        ? 0
        : BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_recordStart + 8));

    /// <summary>Dispatches the record last read to <paramref name="sink"/>.</summary>
    /// <exception cref="InvalidDataException">The record is not a valid kernel event.</exception>
    public void Dispatch(IKernelEventSink sink)
    {
        var raw = _buffer.AsSpan(_recordStart, _recordLength);
        if (raw[0] == KernelRecordingFormat.LostEventsKind)
        {
            if (raw.Length < KernelRecordingFormat.LostEventsRecordSize)
                throw Corrupt("a lost-events marker shorter than 16 bytes");
            sink.OnLost(BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]));
            return;
        }

        if (!KernelEventDecoder.TryDispatch(raw, sink))
            throw Corrupt($"a {raw.Length}-byte record of kind {raw[0]} that is not a valid kernel event");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsInput)
            _input.Dispose();
    }

    private InvalidDataException Truncated(long offset, string what) =>
        new($"'{_source}' is truncated: it ends inside {what} at offset {offset}. Records before that offset were replayed; the recording was probably cut short (tracer killed, disk full).");

    private InvalidDataException Corrupt(string what) =>
        new($"'{_source}' is corrupt at offset {RecordOffset}: {what}.");
}
