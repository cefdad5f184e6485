using System.Buffers;
using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Finds where a frame starts in bytes that may begin anywhere (after a gap, or when tracing began
/// mid-connection), and scores how likely bytes are AMQP. A method frame must name a known method with a
/// sane size; a content header must be of the basic class with weight 0; a body frame must end in 0xCE
/// followed by another frame's type; a heartbeat is exactly <c>08 00 00 00 00 00 00 CE</c>.
/// </summary>
internal static class AmqpFrameFinder
{
    /// <summary>How sure a candidate at some offset is.</summary>
    public enum Verdict
    {
        /// <summary>Not a frame start.</summary>
        No,

        /// <summary>Too few bytes to tell.</summary>
        NeedMore,

        /// <summary>A frame whose end was not seen yet, but whose header names a known method or a basic content header.</summary>
        Plausible,

        /// <summary>A whole frame with its frame-end octet, or the protocol header.</summary>
        Certain,
    }

    private const int MinimumLook = 11;

    public static bool TryFind(ReadOnlySequence<byte> data, AmqpParserOptions options, out long offset)
    {
        // Look at a bounded window per candidate: enough for a method frame's ids, or a whole small frame.
        Span<byte> window = stackalloc byte[64];
        long length = data.Length;
        var reader = new SequenceReader<byte>(data);
        for (long at = 0; at < length; at++)
        {
            if (!reader.TryPeek(out byte first) || !IsTypeOctet(first))
            {
                reader.Advance(1);
                continue;
            }

            int look = (int)Math.Min(window.Length, length - at);
            reader.TryCopyTo(window[..look]);
            var verdict = Judge(window[..look], new SequenceOctets(data, at), options);
            switch (verdict)
            {
                case Verdict.NeedMore:
                    offset = 0;
                    return false;
                case Verdict.Plausible or Verdict.Certain:
                    offset = at;
                    return true;
            }

            reader.Advance(1);
        }

        offset = 0;
        return false;
    }

    /// <summary>Judges the bytes at the start of a contiguous span (inference).</summary>
    public static Verdict Judge(ReadOnlySpan<byte> data, AmqpParserOptions options) =>
        Judge(data[..Math.Min(data.Length, 64)], new SpanOctets(data), options);

    /// <summary>Judges a candidate: <paramref name="head"/> is its first bytes, <paramref name="octets"/> reads any byte after it.</summary>
    private static Verdict Judge<TOctets>(ReadOnlySpan<byte> head, TOctets octets, AmqpParserOptions options)
        where TOctets : IOctets, allows ref struct
    {
        if (head.IsEmpty)
        {
            return Verdict.NeedMore;
        }

        if (head[0] == (byte)'A')
        {
            ReadOnlySpan<byte> magic = "AMQP"u8;
            int compared = Math.Min(head.Length, magic.Length);
            return !head[..compared].SequenceEqual(magic[..compared]) ? Verdict.No
                : head.Length < AmqpFrameReader.ProtocolHeaderSize ? Verdict.NeedMore
                : head[4] <= 1 ? Verdict.Certain : Verdict.No;
        }

        if (head.Length < AmqpFrameReader.FrameHeaderSize + 1)
        {
            return Verdict.NeedMore;
        }

        ushort channel = BinaryPrimitives.ReadUInt16BigEndian(head[1..]);
        uint size = BinaryPrimitives.ReadUInt32BigEndian(head[3..]);
        long end = AmqpFrameReader.FrameHeaderSize + (long)size;
        int? endOctet = octets.At(end);
        switch ((Amqp.AmqpFrameType)head[0])
        {
            case AmqpFrameType.Heartbeat:
                return channel == 0 && size == 0 && head[7] == AmqpFrameReader.FrameEnd ? Verdict.Certain : Verdict.No;
            case AmqpFrameType.Method:
                if (head.Length < MinimumLook)
                {
                    return Verdict.NeedMore;
                }

                if (size < 4 || size > options.MaxMethodFrameBytes
                    || !AmqpMethods.IsKnown(BinaryPrimitives.ReadUInt16BigEndian(head[7..]), BinaryPrimitives.ReadUInt16BigEndian(head[9..])))
                {
                    return Verdict.No;
                }

                return endOctet is null ? Verdict.Plausible : endOctet == AmqpFrameReader.FrameEnd ? Verdict.Certain : Verdict.No;
            case AmqpFrameType.Header:
                if (head.Length < MinimumLook)
                {
                    return Verdict.NeedMore;
                }

                if (size < 14 || size > options.MaxMethodFrameBytes || channel == 0
                    || BinaryPrimitives.ReadUInt16BigEndian(head[7..]) != AmqpMethods.Basic || BinaryPrimitives.ReadUInt16BigEndian(head[9..]) != 0)
                {
                    return Verdict.No;
                }

                return endOctet is null ? Verdict.Plausible : endOctet == AmqpFrameReader.FrameEnd ? Verdict.Certain : Verdict.No;
            case AmqpFrameType.Body:
                // A body's bytes say nothing: only a whole frame followed by a frame type is believed.
                if (channel == 0 || size > options.MaxFrameBytes || endOctet is null)
                {
                    return endOctet is null && channel != 0 && end < 4096 ? Verdict.NeedMore : Verdict.No;
                }

                if (endOctet != AmqpFrameReader.FrameEnd)
                {
                    return Verdict.No;
                }

                return octets.At(end + 1) is not { } next ? Verdict.NeedMore : IsTypeOctet((byte)next) ? Verdict.Certain : Verdict.No;
            default:
                return Verdict.No;
        }
    }

    private static bool IsTypeOctet(byte value) =>
        value is (byte)AmqpFrameType.Method or (byte)AmqpFrameType.Header or (byte)AmqpFrameType.Body or (byte)AmqpFrameType.Heartbeat or (byte)'A';

    /// <summary>Reads the byte at an offset from the candidate's start, or <see langword="null"/> past the data.</summary>
    private interface IOctets
    {
        int? At(long offset);
    }

    private readonly ref struct SpanOctets(ReadOnlySpan<byte> data) : IOctets
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int? At(long offset) => offset < _data.Length ? _data[(int)offset] : null;
    }

    private readonly struct SequenceOctets(ReadOnlySequence<byte> data, long start) : IOctets
    {
        public int? At(long offset) => start + offset < data.Length ? data.Slice(start + offset, 1).FirstSpan[0] : null;
    }
}
