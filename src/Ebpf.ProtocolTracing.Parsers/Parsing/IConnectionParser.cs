using System.Buffers;

namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// One connection's parser state for both directions: frames each stream, stitches requests to
/// responses, and emits records through its <see cref="IParseContext"/>.
/// </summary>
/// <remarks>
/// The caller keeps every byte not yet consumed and hands it back, with new bytes appended, on the
/// next call (System.IO.Pipelines style). Consume body bytes as they arrive, keeping only what the
/// record needs, so a connection never has to buffer a whole large message.
/// No input may throw, hang or allocate without bound: bad bytes yield <see cref="ParseStatus.Invalid"/>.
/// </remarks>
public interface IConnectionParser
{
    /// <summary>Parses as many complete frames as <paramref name="data"/> holds.</summary>
    /// <param name="direction">The stream the bytes belong to.</param>
    /// <param name="data">Unconsumed bytes of that stream, starting at <paramref name="streamPosition"/>.</param>
    /// <param name="streamPosition">Offset of the first byte of <paramref name="data"/> in the stream (for <see cref="IParseContext.TimeAt"/>).</param>
    /// <param name="consumed">How far the parser consumed; the rest is handed back next time.</param>
    /// <returns>Whether parsing can go on, needs a resync, or the connection is no longer this protocol.</returns>
    ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed);

    /// <summary>
    /// Tells the parser that <paramref name="length"/> bytes of a stream were not captured, right after
    /// the bytes it consumed last.
    /// </summary>
    /// <returns>
    /// <see langword="true"/> when the parser absorbed the gap (it fell inside a body of known length);
    /// <see langword="false"/> when the parser lost its place: it drops that direction's partial frame,
    /// marks affected records <see cref="ProtocolRecord.DataLost"/>, and the caller resyncs with
    /// <see cref="TryFindFrameStart"/>.
    /// </returns>
    bool OnGap(StreamDirection direction, long length);

    /// <summary>After a gap that was not absorbed: finds where the next frame starts.</summary>
    /// <param name="direction">The stream being resynced.</param>
    /// <param name="data">Bytes after the gap.</param>
    /// <param name="frameStart">Where a frame starts; bytes before it are dropped.</param>
    /// <returns><see langword="false"/> when no frame start is in <paramref name="data"/> yet.</returns>
    bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart);

    /// <summary>
    /// The connection closed or expired: emit what is complete now (a body read until close, requests
    /// with no response).
    /// </summary>
    void Complete();
}
