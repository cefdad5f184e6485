namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// The encoding of a parser target's input: how one byte string becomes the two byte streams of a
/// connection, cut into deliveries, with gaps between them.
/// </summary>
/// <remarks>
/// <code>
/// byte 0      flags: bit 0 = hand each delivery over as a chain of small segments
/// then ops    00llllll  egress data, l+1 bytes follow (fewer at the end of the input)
///             01llllll  ingress data, l+1 bytes follow
///             10sssssd  gap in direction d (0 egress, 1 ingress) of GapSizes[s % GapSizes.Length] bytes
///             11nnnnnd  data in direction d, (n+1)*256 bytes follow
/// </code>
/// The unit tests' conversations are written in 64-byte egress/ingress deliveries to seed the corpus.
/// </remarks>
internal static class ParserInput
{
    /// <summary>Gap lengths: inside a frame, past a frame, and lengths no buffer could hold.</summary>
    public static readonly long[] GapSizes = [1, 2, 5, 16, 100, 1000, 4096, 65_536, 1 << 20, 1 << 24, 1L << 31, 1L << 40];

    public const byte MultiSegmentFlag = 1;

    public enum OpKind
    {
        Data,
        Gap,
    }

    /// <summary>Reads the next op at <paramref name="offset"/>; false at the end of the input.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, ref int offset, out OpKind kind, out StreamDirection direction, out ReadOnlySpan<byte> data, out long gapLength)
    {
        data = default;
        gapLength = 0;
        kind = OpKind.Data;
        direction = StreamDirection.Egress;
        if (offset >= input.Length)
        {
            return false;
        }

        var op = input[offset++];
        int length;
        switch (op >> 6)
        {
            case 0:
                length = (op & 0x3F) + 1;
                break;
            case 1:
                direction = StreamDirection.Ingress;
                length = (op & 0x3F) + 1;
                break;
            case 2:
                kind = OpKind.Gap;
                direction = (op & 1) == 0 ? StreamDirection.Egress : StreamDirection.Ingress;
                gapLength = GapSizes[((op >> 1) & 0x1F) % GapSizes.Length];
                return true;
            default:
                direction = (op & 1) == 0 ? StreamDirection.Egress : StreamDirection.Ingress;
                length = (((op >> 1) & 0x1F) + 1) * 256;
                break;
        }

        length = Math.Min(length, input.Length - offset);
        data = input.Slice(offset, length);
        offset += length;
        return true;
    }

    /// <summary>Writes a conversation in the encoding: 64-byte deliveries, no gaps.</summary>
    public static byte[] Encode(IEnumerable<(StreamDirection Direction, byte[] Bytes)> steps, bool multiSegment = false)
    {
        var output = new List<byte> { multiSegment ? MultiSegmentFlag : (byte)0 };
        foreach (var (direction, bytes) in steps)
        {
            for (int i = 0; i < bytes.Length; i += 64)
            {
                var length = Math.Min(64, bytes.Length - i);
                output.Add((byte)((direction == StreamDirection.Egress ? 0x00 : 0x40) | (length - 1)));
                output.AddRange(bytes.AsSpan(i, length));
            }
        }

        return [.. output];
    }
}
