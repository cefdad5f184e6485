namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// The generic response packets: OK_Packet, ERR_Packet and EOF_Packet
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_response_packets.html).
/// </summary>
internal static class MySqlResponsePackets
{
    /// <summary>An EOF_Packet of protocol 4.1 is 5 bytes; an OK_Packet with the 0xFE header is at least 7.</summary>
    public const int EofLength = 5;

    /// <summary>
    /// Whether a packet starting with 0xFE ends a result set rather than being a row: a row could only
    /// start with 0xFE as the prefix of a string of 16 MiB or more, which fills a whole packet.
    /// </summary>
    public static bool IsEndOfRows(byte first, int packetLength) =>
        first == MySqlProtocol.EofHeader && packetLength < MySqlProtocol.MaxPayloadLength;

    /// <summary>Reads an OK_Packet (header 0x00, or 0xFE when it replaces EOF) into <paramref name="exchange"/>; returns its status flags.</summary>
    public static ushort ReadOk(ReadOnlySpan<byte> payload, MySqlExchange exchange)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        ulong? affected = reader.ReadLengthEncoded();
        ulong? lastInsertId = reader.ReadLengthEncoded();
        ushort status = reader.ReadUInt16();
        ushort warnings = reader.ReadUInt16();
        if (reader.Failed)
        {
            // Servers without CLIENT_PROTOCOL_41 may omit the tail; keep what was there.
            status = 0;
        }

        exchange.AffectedRows = affected is { } a ? (long)Math.Min(a, long.MaxValue) : exchange.AffectedRows;
        exchange.LastInsertId = lastInsertId is { } id ? (long)Math.Min(id, long.MaxValue) : exchange.LastInsertId;
        if (!reader.Failed)
        {
            exchange.Warnings = (exchange.Warnings ?? 0) + warnings;
        }

        return status;
    }

    /// <summary>Reads the status flags (and warnings) of a 4.1 EOF_Packet.</summary>
    public static ushort ReadEof(ReadOnlySpan<byte> payload, MySqlExchange exchange)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        ushort warnings = reader.ReadUInt16();
        ushort status = reader.ReadUInt16();
        if (reader.Failed)
        {
            return 0;
        }

        exchange.Warnings = (exchange.Warnings ?? 0) + warnings;
        return status;
    }

    /// <summary>The end of a result set: an EOF_Packet, or an OK_Packet with the 0xFE header under CLIENT_DEPRECATE_EOF.</summary>
    public static ushort ReadEndOfRows(ReadOnlySpan<byte> payload, int packetLength, MySqlExchange exchange) =>
        packetLength <= EofLength ? ReadEof(payload, exchange) : ReadOk(payload, exchange);

    /// <summary>Reads an ERR_Packet: code, SQL state (when marked by '#') and message.</summary>
    public static MySqlError ReadError(ReadOnlySpan<byte> payload, int maxText)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        int code = reader.ReadUInt16();
        string? state = null;
        if (reader.Remaining >= 6 && reader.Rest[0] == (byte)'#')
        {
            reader.Skip(1);
            state = MySqlPayloadReader.Text(reader.ReadBytes(5), 5);
        }

        return new MySqlError(code, state, MySqlPayloadReader.Text(reader.Rest, maxText));
    }
}
