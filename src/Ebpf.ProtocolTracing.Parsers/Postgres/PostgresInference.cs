using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>Scores how likely bytes are the start of a PostgreSQL stream or message.</summary>
internal static class PostgresInference
{
    /// <summary>Scores <paramref name="data"/>, the first bytes of a stream or of what follows a gap.</summary>
    public static int Score(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && PostgresFrameFinder.IsStartupCandidate(data, data.Length))
        {
            return 100;
        }

        if (data.Length < 5)
        {
            return 0;
        }

        byte type = data[0];
        int length = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        if (length > 1 << 24)
        {
            // Real statements are far shorter; text protocols (e.g. "POST") land here.
            return 0;
        }

        switch (type)
        {
            case (byte)'Q' when PostgresMessageTypes.IsPlausibleLength(type, frontend: true, length):
                return data.Length > length && data[length] == 0 ? 100 : data.Length > 5 && IsText(data[5]) ? 60 : 0;
            case (byte)'P' or (byte)'B' when PostgresMessageTypes.IsPlausibleLength(type, frontend: true, length):
                return data.Length == length + 1 || (data.Length > length + 5 && IsChainedType(data[length + 1])) ? 90 : 55;
            case (byte)'Z' when length == 5 && data.Length >= 6 && data[5] is (byte)'I' or (byte)'T' or (byte)'E':
                return 90;
            case (byte)'R' when length is >= 8 and <= 2048 && data.Length >= 9 && BinaryPrimitives.ReadInt32BigEndian(data[5..]) is >= 0 and <= 12:
                return 80;
            default:
                return 0;
        }
    }

    private static bool IsText(byte b) => b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n' or (byte)'\r' or >= 0x80;

    private static bool IsChainedType(byte type) => type is (byte)'B' or (byte)'D' or (byte)'E' or (byte)'S' or (byte)'P' or (byte)'H';
}
