using System.Buffers;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>The client connection preface (RFC 9113 3.4): 24 fixed bytes before the client's first frame.</summary>
internal static class Http2Preface
{
    /// <summary>The preface bytes, <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>.</summary>
    public static ReadOnlySpan<byte> Bytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Compares the start of <paramref name="data"/> with the preface.</summary>
    /// <returns>Yes, no, or not enough bytes to tell.</returns>
    public static PrefaceMatch Match(in ReadOnlySequence<byte> data)
    {
        var expected = Bytes;
        int available = (int)Math.Min(data.Length, expected.Length);
        Span<byte> head = stackalloc byte[24];
        data.Slice(0, available).CopyTo(head);
        if (!head[..available].SequenceEqual(expected[..available]))
        {
            return PrefaceMatch.No;
        }

        return available == expected.Length ? PrefaceMatch.Yes : PrefaceMatch.NeedMoreData;
    }
}

/// <summary>Whether bytes begin with the connection preface.</summary>
internal enum PrefaceMatch
{
    No,
    Yes,
    NeedMoreData,
}
