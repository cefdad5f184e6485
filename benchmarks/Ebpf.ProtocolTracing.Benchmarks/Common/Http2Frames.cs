using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Benchmarks.Common;

/// <summary>HTTP/2 frames for benchmark inputs (RFC 9113 § 4.1: 24-bit length, type, flags, stream id, payload).</summary>
internal static class Http2Frames
{
    /// <summary>One frame of <paramref name="type"/> with <paramref name="payload"/>.</summary>
    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }
}
