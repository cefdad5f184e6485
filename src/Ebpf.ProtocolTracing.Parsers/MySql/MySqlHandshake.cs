namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// The connection phase's packets
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html). Authentication
/// data is skipped over and never copied.
/// </summary>
internal static class MySqlHandshake
{
    /// <summary>Longest server version string accepted in a greeting.</summary>
    private const int MaxVersionLength = 100;

    /// <summary>Length of an SSLRequest payload (capabilities, max packet, charset, filler).</summary>
    private const int SslRequestLength = 32;

    /// <summary>Whether <paramref name="payload"/> is a plausible Protocol::HandshakeV10 (checks the version string).</summary>
    public static bool LooksLikeGreeting(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2 || payload[0] != MySqlProtocol.HandshakeV10)
        {
            return false;
        }

        var rest = payload[1..];
        int end = rest.IndexOf((byte)0);
        int versionLength = end < 0 ? rest.Length : end;
        if (versionLength == 0 || versionLength > MaxVersionLength || rest[0] is < (byte)'0' or > (byte)'9')
        {
            return false;
        }

        foreach (byte b in rest[..versionLength])
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }

        // Connection id, 8 bytes of scramble, filler and the capability flags follow the version.
        return end < 0 || rest.Length - end - 1 >= 4 + 8 + 1 + 2;
    }

    /// <summary>Reads the server greeting into <paramref name="exchange"/>.</summary>
    public static bool TryReadGreeting(ReadOnlySpan<byte> payload, MySqlExchange exchange, int maxText)
    {
        if (!LooksLikeGreeting(payload))
        {
            return false;
        }

        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        exchange.ServerVersion = MySqlPayloadReader.Text(reader.ReadNullTerminated(), maxText);
        exchange.ServerConnectionId = reader.ReadUInt32();
        reader.Skip(8 + 1); // scramble part 1 and filler: never kept
        uint capabilities = reader.ReadUInt16();
        if (reader.Remaining >= 1 + 2 + 2 + 1 + 10)
        {
            reader.Skip(1 + 2); // character set, status flags
            capabilities |= (uint)reader.ReadUInt16() << 16;
            int scrambleLength = reader.ReadByte();
            reader.Skip(10);
            if ((capabilities & MySqlProtocol.ClientSecureConnection) != 0)
            {
                reader.Skip(Math.Min(Math.Max(13, scrambleLength - 8), reader.Remaining));
            }

            if ((capabilities & MySqlProtocol.ClientPluginAuth) != 0 && reader.Remaining > 0)
            {
                exchange.AuthPlugin = MySqlPayloadReader.Text(reader.ReadNullTerminated(), maxText);
            }
        }

        exchange.ServerCapabilities = capabilities;
        return !reader.Failed;
    }

    /// <summary>
    /// Reads a HandshakeResponse41 (or an SSLRequest, which sets <see cref="MySqlExchange.TlsRequested"/>)
    /// into <paramref name="exchange"/>. The auth response is skipped by its length, never read.
    /// </summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> payload, MySqlExchange exchange, int maxText)
    {
        var reader = new MySqlPayloadReader(payload);
        uint capabilities = reader.ReadUInt32();
        if (reader.Failed || (capabilities & MySqlProtocol.ClientProtocol41) == 0)
        {
            // Protocol::HandshakeResponse320 is from servers older than MySQL 4.1: not decoded.
            return false;
        }

        exchange.Capabilities = capabilities;
        reader.Skip(4 + 1 + 23); // max packet size, character set, filler (MariaDB's extended capabilities)
        if (reader.Failed)
        {
            return false;
        }

        if (payload.Length == SslRequestLength && (capabilities & MySqlProtocol.ClientSsl) != 0)
        {
            exchange.TlsRequested = true;
            return true;
        }

        exchange.User = MySqlPayloadReader.Text(reader.ReadNullTerminated(), maxText);
        SkipAuthResponse(ref reader, capabilities);
        if ((capabilities & MySqlProtocol.ClientConnectWithDb) != 0 && reader.Remaining > 0)
        {
            var database = reader.ReadNullTerminated();
            exchange.Database = database.IsEmpty ? null : MySqlPayloadReader.Text(database, maxText);
        }

        if ((capabilities & MySqlProtocol.ClientPluginAuth) != 0 && reader.Remaining > 0)
        {
            var plugin = reader.ReadNullTerminated();
            if (!plugin.IsEmpty)
            {
                exchange.AuthPlugin = MySqlPayloadReader.Text(plugin, maxText);
            }
        }

        return !reader.Failed;
    }

    /// <summary>
    /// Reads a COM_CHANGE_USER payload after its command byte: user, auth response (skipped), database,
    /// and the plugin name when there is one.
    /// </summary>
    public static void ReadChangeUser(ReadOnlySpan<byte> body, MySqlExchange exchange, uint capabilities, int maxText)
    {
        var reader = new MySqlPayloadReader(body);
        exchange.User = MySqlPayloadReader.Text(reader.ReadNullTerminated(), maxText);
        // Unknown capabilities (the handshake was not seen): every client since MySQL 4.1 sends a length byte.
        if (capabilities == 0 || (capabilities & MySqlProtocol.ClientSecureConnection) != 0)
        {
            reader.Skip(Math.Min((int)reader.ReadByte(), reader.Remaining));
        }
        else
        {
            reader.ReadNullTerminated();
        }

        var database = reader.ReadNullTerminated();
        exchange.Database = database.IsEmpty ? null : MySqlPayloadReader.Text(database, maxText);
        if (reader.Remaining >= 2 && (capabilities & MySqlProtocol.ClientPluginAuth) != 0)
        {
            reader.Skip(2); // character set
            var plugin = reader.ReadNullTerminated();
            exchange.AuthPlugin = plugin.IsEmpty ? null : MySqlPayloadReader.Text(plugin, maxText);
        }
    }

    /// <summary>An AuthSwitchRequest names the plugin the login continues with; its scramble is skipped.</summary>
    public static string? ReadAuthSwitchPlugin(ReadOnlySpan<byte> payload, int maxText)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1);
        var plugin = reader.ReadNullTerminated();
        return plugin.IsEmpty ? null : MySqlPayloadReader.Text(plugin, maxText);
    }

    private static void SkipAuthResponse(ref MySqlPayloadReader reader, uint capabilities)
    {
        if ((capabilities & MySqlProtocol.ClientPluginAuthLenencClientData) != 0)
        {
            ulong length = reader.ReadLengthEncoded() ?? 0;
            reader.Skip((long)Math.Min(length, (ulong)reader.Remaining));
        }
        else if ((capabilities & MySqlProtocol.ClientSecureConnection) != 0)
        {
            reader.Skip(Math.Min((int)reader.ReadByte(), reader.Remaining));
        }
        else
        {
            reader.ReadNullTerminated();
        }
    }
}
