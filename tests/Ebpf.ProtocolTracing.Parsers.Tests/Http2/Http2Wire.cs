using System.Buffers.Binary;
using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>Builds HTTP/2 frames for tests and benchmark inputs (HPACK blocks: HpackTestEncoder).</summary>
internal static class Http2Wire
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

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

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }

        return Frame(4, 0, 0, payload);
    }

    public static byte[] SettingsAck() => Frame(4, 1, 0, []);

    public static byte[] Ping(bool ack = false) => Frame(6, ack ? (byte)1 : (byte)0, 0, new byte[8]);

    public static byte[] WindowUpdate(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(8, 0, streamId, payload);
    }

    public static byte[] Headers(int streamId, byte[] block, bool endStream = false, bool endHeaders = true) =>
        Frame(1, (byte)((endStream ? 1 : 0) | (endHeaders ? 4 : 0)), streamId, block);

    public static byte[] PaddedPriorityHeaders(int streamId, byte[] block, int padding, bool endStream)
    {
        var payload = new byte[1 + 5 + block.Length + padding];
        payload[0] = (byte)padding;
        payload[5] = 16; // dependency 0, weight 16
        block.CopyTo(payload, 6);
        return Frame(1, (byte)(0x4 | 0x8 | 0x20 | (endStream ? 1 : 0)), streamId, payload);
    }

    public static byte[] Continuation(int streamId, byte[] fragment, bool endHeaders) => Frame(9, endHeaders ? (byte)4 : (byte)0, streamId, fragment);

    public static byte[] Data(int streamId, ReadOnlySpan<byte> data, bool endStream = false) => Frame(0, endStream ? (byte)1 : (byte)0, streamId, data);

    public static byte[] PaddedData(int streamId, ReadOnlySpan<byte> data, int padding, bool endStream)
    {
        var payload = new byte[1 + data.Length + padding];
        payload[0] = (byte)padding;
        data.CopyTo(payload.AsSpan(1));
        return Frame(0, (byte)(0x8 | (endStream ? 1 : 0)), streamId, payload);
    }

    public static byte[] RstStream(int streamId, uint code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, code);
        return Frame(3, 0, streamId, payload);
    }

    public static byte[] GoAway(int lastStreamId, uint code, string debug = "")
    {
        var payload = new byte[8 + debug.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), code);
        Encoding.ASCII.GetBytes(debug).CopyTo(payload, 8);
        return Frame(7, 0, 0, payload);
    }

    public static byte[] PushPromise(int streamId, int promisedStreamId, byte[] block)
    {
        var payload = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, promisedStreamId);
        block.CopyTo(payload, 4);
        return Frame(5, 4, streamId, payload);
    }

    /// <summary>A gRPC length-prefixed message.</summary>
    public static byte[] GrpcMessage(ReadOnlySpan<byte> message, bool compressed = false)
    {
        var framed = new byte[5 + message.Length];
        framed[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
