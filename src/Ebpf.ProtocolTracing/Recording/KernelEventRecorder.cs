using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Kernel;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Recording;

/// <summary>
/// An <see cref="IKernelEventSink"/> decorator that appends every kernel event, byte for byte, to a
/// recording (<see cref="KernelRecordingFormat"/>) before passing it on to the real sink.
/// </summary>
/// <remarks>
/// On the reader thread, so it stays cheap: events are copied into the file stream's buffer (no
/// allocation per event) and reach the disk when that buffer fills, and on <see cref="Dispose"/>.
/// </remarks>
internal sealed class KernelEventRecorder : IKernelEventSink, IDisposable
{
    private const int FileBufferBytes = 1024 * 1024;

    private readonly Stream _output;
    private readonly IKernelEventSink _inner;
    private readonly bool _ownsOutput;
    private bool _disposed;

    /// <summary>Starts a recording on <paramref name="output"/> and forwards every event to <paramref name="inner"/>.</summary>
    /// <param name="output">Where the recording goes; its header is written now.</param>
    /// <param name="clock">Gives the monotonic-to-wall offset stored in the header, so replayed records keep their times.</param>
    /// <param name="inner">The sink that handles the events (the connection tracker).</param>
    /// <param name="ownsOutput">Whether <see cref="Dispose"/> closes <paramref name="output"/>.</param>
    public KernelEventRecorder(Stream output, KernelClock clock, IKernelEventSink inner, bool ownsOutput = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(inner);
        _output = output;
        _inner = inner;
        _ownsOutput = ownsOutput;
        WriteHeader(output, clock.MonotonicZero);
    }

    /// <summary>Events written so far.</summary>
    public ulong EventsRecorded { get; private set; }

    /// <summary>Creates (or replaces) the file at <paramref name="path"/> and records into it.</summary>
    /// <exception cref="ProtocolTracingException">The file cannot be created.</exception>
    public static KernelEventRecorder CreateFile(string path, KernelClock clock, IKernelEventSink inner)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileBufferBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ProtocolTracingException($"Cannot create the recording file '{path}': {e.Message}. Choose a writable path.", e);
        }

        try
        {
            return new KernelEventRecorder(file, clock, inner);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes the header of a recording whose events have monotonic 0 at <paramref name="monotonicZero"/>.</summary>
    public static void WriteHeader(Stream output, DateTimeOffset monotonicZero)
    {
        Span<byte> header = stackalloc byte[KernelRecordingFormat.HeaderSize];
        header.Clear();
        KernelRecordingFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], KernelRecordingFormat.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], KernelEventLayout.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], KernelRecordingFormat.HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], monotonicZero.UtcTicks);
        output.Write(header);
    }

    /// <inheritdoc />
    public void OnOpen(in OpenEvent e)
    {
        WriteRecord(AsBytes(in e), ReadOnlySpan<byte>.Empty);
        _inner.OnOpen(in e);
    }

    /// <inheritdoc />
    public void OnClose(in CloseEvent e)
    {
        WriteRecord(AsBytes(in e), ReadOnlySpan<byte>.Empty);
        _inner.OnClose(in e);
    }

    /// <inheritdoc />
    public void OnData(in DataEvent e, ReadOnlySpan<byte> payload)
    {
        WriteRecord(AsBytes(in e), payload);
        _inner.OnData(in e, payload);
    }

    /// <inheritdoc />
    public void OnDatagram(in DatagramEvent e, ReadOnlySpan<byte> payload)
    {
        WriteRecord(AsBytes(in e), payload);
        _inner.OnDatagram(in e, payload);
    }

    /// <inheritdoc />
    public void OnProcessExit(in ProcessExitEvent e)
    {
        WriteRecord(AsBytes(in e), ReadOnlySpan<byte>.Empty);
        _inner.OnProcessExit(in e);
    }

    /// <inheritdoc />
    public void OnLost(ulong count)
    {
        Span<byte> marker = stackalloc byte[KernelRecordingFormat.LostEventsRecordSize];
        marker.Clear();
        marker[0] = KernelRecordingFormat.LostEventsKind;
        BinaryPrimitives.WriteUInt64LittleEndian(marker[8..], count);
        WriteRecord(marker, ReadOnlySpan<byte>.Empty);
        _inner.OnLost(count);
    }

    /// <summary>Pushes buffered events to the file.</summary>
    public void Flush()
    {
        if (!_disposed)
            _output.Flush();
    }

    /// <summary>Flushes and, when it owns it, closes the recording.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            _output.Flush();
        }
        finally
        {
            if (_ownsOutput)
                _output.Dispose();
        }
    }

    private void WriteRecord(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload)
    {
        if (_disposed)
            return;
        Span<byte> length = stackalloc byte[KernelRecordingFormat.LengthPrefixSize];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)(head.Length + payload.Length));
        _output.Write(length);
        _output.Write(head);
        if (!payload.IsEmpty)
            _output.Write(payload);
        EventsRecorded++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> AsBytes<T>(in T value)
        where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
}
