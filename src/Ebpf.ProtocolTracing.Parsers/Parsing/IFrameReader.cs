using System.Buffers;

namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>Reads one direction of a connection frame by frame, resumably at any byte.</summary>
/// <typeparam name="TFrame">What one frame becomes.</typeparam>
internal interface IFrameReader<out TFrame>
{
    /// <summary>Reads from <paramref name="offset"/> (advanced past what it consumed) to the end of a frame, or as far as the data goes.</summary>
    FrameReadStatus Read(ReadOnlySequence<byte> data, long streamPosition, ref long offset);

    /// <summary>The frame the last <see cref="Read"/> completed.</summary>
    TFrame TakeFrame();

    /// <summary>Absorbs <paramref name="length"/> missing bytes when they fall inside a payload of known size.</summary>
    bool OnGap(long length);

    /// <summary>Forgets the partial frame (after a loss or at the end).</summary>
    void Reset();
}
