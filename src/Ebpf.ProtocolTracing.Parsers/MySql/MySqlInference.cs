namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Scores how likely bytes are the start of a MySQL conversation or of a command: a server greeting
/// (sequence 0, protocol version 10, a version string) or a command packet (sequence 0, a known
/// command byte and a length that fits it).
/// </summary>
internal static class MySqlInference
{
    /// <summary>A whole greeting packet.</summary>
    public const int Certain = 90;

    /// <summary>A whole command packet whose length fits its command.</summary>
    public const int Likely = 70;

    /// <summary>The start of a command packet, not yet whole.</summary>
    public const int Possible = 30;

    public static int Score(ReadOnlySpan<byte> data)
    {
        if (data.Length <= MySqlProtocol.HeaderLength || data[3] != 0)
        {
            return 0;
        }

        int length = data[0] | (data[1] << 8) | (data[2] << 16);
        if (length == 0)
        {
            return 0;
        }

        var payload = data[MySqlProtocol.HeaderLength..];
        bool whole = payload.Length >= length;
        if (whole)
        {
            payload = payload[..length];
        }

        if (payload[0] == MySqlProtocol.HandshakeV10 && length >= 30 && MySqlHandshake.LooksLikeGreeting(payload))
        {
            return whole ? Certain : Likely;
        }

        byte code = payload[0];
        if (MySqlProtocol.CommandOf(code) is not { } command || command == MySqlCommand.Other || !MySqlProtocol.IsPlausibleLength(code, length))
        {
            return 0;
        }

        if (code is MySqlProtocol.ComQuery or MySqlProtocol.ComStmtPrepare && payload.Length > 1 && !MySqlFrameFinder.StartsLikeSql(payload[1]))
        {
            return 0;
        }

        return whole ? Likely : Possible;
    }
}
