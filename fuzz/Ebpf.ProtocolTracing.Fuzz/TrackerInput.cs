using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// The encoding of the tracker target's input: a sequence of raw kernel events (wire format of
/// native/bpf/include/trace_events.h) on four connections, two of which reuse a pid/fd pair.
/// </summary>
/// <remarks>
/// <code>
/// byte 0    flags: bit 0 = tight tracker limits (64 KiB per stream, 2 connections)
/// then      op: bits 0-1 kind (0 open, 1 close, 2 data, 3 lost-events marker), bits 2-3 connection,
///               bit 4 TLS plaintext flag, bits 5-7 the kernel's protocol guess
///           t:  time step: below 0xF0 forward t ms, else back (t - 0xEF) × 10 ms
///  open     x:  bits 0-1 role, bits 2-4 port
///  close    x:  bits 0-1 egress length, bits 2-3 ingress length (0 as sent, 1 +100, 2 zero, 3 huge)
///  data     d:  bit 0 direction, bits 1-2 position (0 next, 1 back n, 2 ahead n×256, 3 n<<32),
///               bits 3-4 original length (0 = captured, 1 +n KiB, 2 +2 GiB, 3 4 GiB - 1), bit 5 midstream,
///               bit 7 long payload; then n, then length byte l (payload l or l×32 bytes with bit 7), payload
///  lost     n:  events lost
/// </code>
/// </remarks>
internal static class TrackerInput
{
    public const int HeaderSize = 32;
    public const int OpenEventSize = 96;
    public const int CloseEventSize = 48;
    public const int DataHeaderSize = 56;
    public const int MaxChunk = 8192;

    private static readonly ushort[] Ports = [80, 5432, 3306, 6379, 8080, 443, 50051, 9000];

    /// <summary>Raw records (kernel events or lost markers) made from the input, with their timestamps.</summary>
    public static List<byte[]> Decode(ReadOnlySpan<byte> input)
    {
        var records = new List<byte[]>();
        var cursors = new long[4, 2];
        ulong now = 1_000_000_000;
        int offset = 1;
        while (offset < input.Length)
        {
            var op = input[offset++];
            var step = Next(input, ref offset);
            now = step < 0xF0 ? now + ((ulong)step * 1_000_000) : now - Math.Min(now, (ulong)(step - 0xEF) * 10_000_000);
            int conn = (op >> 2) & 3;
            switch (op & 3)
            {
                case 0:
                    records.Add(Open(op, conn, now, Next(input, ref offset)));
                    break;
                case 1:
                    records.Add(Close(op, conn, now, Next(input, ref offset), cursors));
                    break;
                case 2:
                    records.Add(Data(op, conn, now, input, ref offset, cursors));
                    break;
                default:
                    var lost = new byte[16];
                    lost[0] = 0xF0;
                    BinaryPrimitives.WriteUInt64LittleEndian(lost.AsSpan(8), Next(input, ref offset));
                    records.Add(lost);
                    break;
            }
        }

        return records;
    }

    /// <summary>Writes a plain exchange on connection 0 (open, then each step as sequential data, then close).</summary>
    public static byte[] Encode(byte protocolGuess, int portIndex, IEnumerable<(StreamDirection Direction, byte[] Bytes)> steps)
    {
        var output = new List<byte> { 0, (byte)(0 | (protocolGuess << 5)), 1, (byte)(1 | (portIndex << 2)) };
        foreach (var (direction, bytes) in steps)
        {
            for (int i = 0; i < bytes.Length; i += 255)
            {
                var length = Math.Min(255, bytes.Length - i);
                output.AddRange([(byte)(2 | (protocolGuess << 5)), 1, (byte)(direction == StreamDirection.Egress ? 0 : 1), 0, (byte)length]);
                output.AddRange(bytes.AsSpan(i, length));
            }
        }

        output.AddRange([1, 1, 0]);
        return [.. output];
    }

    private static byte Next(ReadOnlySpan<byte> input, ref int offset) => offset < input.Length ? input[offset++] : (byte)0;

    private static void WriteHeader(Span<byte> raw, byte kind, byte op, int conn, ulong now)
    {
        raw[0] = kind;
        raw[1] = (byte)(op >> 5);
        BinaryPrimitives.WriteUInt16LittleEndian(raw[2..], (ushort)((op & 0x10) != 0 ? 2 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(raw[4..], 77);
        BinaryPrimitives.WriteUInt64LittleEndian(raw[8..], now);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[16..], (uint)(1000 + (conn & 1)));
        BinaryPrimitives.WriteInt32LittleEndian(raw[20..], 5);
        BinaryPrimitives.WriteUInt64LittleEndian(raw[24..], (ulong)(1 + (conn >> 1)));
    }

    private static byte[] Open(byte op, int conn, ulong now, byte x)
    {
        var raw = new byte[OpenEventSize];
        WriteHeader(raw, 1, op, conn, now);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), 500);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(40), 2);
        var role = (byte)(x & 3);
        var port = Ports[(x >> 2) & 7];
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(42), role == 2 ? port : (ushort)40000);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(44), role == 2 ? (ushort)40000 : port);
        raw[46] = role;
        raw[47] = 1;
        raw[48] = 127;
        raw[51] = 1;
        raw[64] = 127;
        raw[67] = 1;
        return raw;
    }

    private static byte[] Close(byte op, int conn, ulong now, byte x, long[,] cursors)
    {
        var raw = new byte[CloseEventSize];
        WriteHeader(raw, 2, op, conn, now);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), Length(x & 3, cursors[conn, 0]));
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(40), Length((x >> 2) & 3, cursors[conn, 1]));
        return raw;

        static ulong Length(int mode, long sent) => mode switch
        {
            0 => (ulong)sent,
            1 => (ulong)sent + 100,
            2 => 0,
            _ => ulong.MaxValue,
        };
    }

    private static byte[] Data(byte op, int conn, ulong now, ReadOnlySpan<byte> input, ref int offset, long[,] cursors)
    {
        var d = Next(input, ref offset);
        var n = Next(input, ref offset);
        var lengthByte = Next(input, ref offset);
        int direction = d & 1;
        int captured = (d & 0x80) != 0 ? Math.Min(MaxChunk, lengthByte * 32) : lengthByte;
        captured = Math.Min(captured, input.Length - offset);
        var payload = input.Slice(offset, captured);
        offset += captured;

        long position = ((d >> 1) & 3) switch
        {
            0 => cursors[conn, direction],
            1 => Math.Max(0, cursors[conn, direction] - n),
            2 => cursors[conn, direction] + (n * 256L),
            _ => (long)n << 32,
        };
        uint original = ((d >> 3) & 3) switch
        {
            0 => (uint)captured,
            1 => (uint)captured + (n * 1024u),
            2 => (uint)captured + 0x8000_0000u,
            _ => uint.MaxValue,
        };
        cursors[conn, direction] = Math.Max(cursors[conn, direction], position + original);

        var raw = new byte[DataHeaderSize + captured];
        WriteHeader(raw, 3, op, conn, now);
        if ((d & 0x20) != 0)
        {
            raw[2] |= 1;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(32), (ulong)position);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(40), (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(44), original);
        raw[48] = (byte)direction;
        raw[49] = (byte)((op & 0x10) != 0 ? 12 : direction == 0 ? 2 : 1);
        payload.CopyTo(raw.AsSpan(DataHeaderSize));
        return raw;
    }
}
