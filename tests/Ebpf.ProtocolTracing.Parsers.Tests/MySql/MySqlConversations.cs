using static Ebpf.ProtocolTracing.Parsers.Tests.MySql.MySqlPackets;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Whole conversations, as (direction, bytes) steps, shared by the exchange and split tests.</summary>
internal static class MySqlConversations
{
    public static readonly byte[] Secret = "S3CRET-AUTH-BYTES-0123456789"u8.ToArray();

    /// <summary>Login, a query with a classic result set, an error, an insert, prepare/execute/close, ping, quit.</summary>
    public static List<(StreamDirection Direction, byte[] Bytes)> Full(bool deprecateEof)
    {
        uint caps = ClientCaps | (deprecateEof ? DeprecateEof : 0);
        var int32 = (Type: (byte)0x03, Unsigned: false);
        var varString = (Type: (byte)0xfd, Unsigned: false);
        return
        [
            (StreamDirection.Ingress, Greeting()),
            (StreamDirection.Egress, HandshakeResponse("app", Secret, "shop", caps)),
            (StreamDirection.Ingress, Ok(2)),
            (StreamDirection.Egress, Query("SELECT name FROM items")),
            (StreamDirection.Ingress, ResultSet(3, deprecateEof)),
            (StreamDirection.Egress, Query("SELECT * FROM missing")),
            (StreamDirection.Ingress, Err(1, 1146, "42S02", "Table 'shop.missing' doesn't exist")),
            (StreamDirection.Egress, Query("INSERT INTO items(name) VALUES ('a'),('b')")),
            (StreamDirection.Ingress, Ok(1, affected: 2, lastInsertId: 17)),
            (StreamDirection.Egress, Prepare("SELECT * FROM items WHERE id = ? AND name = ?")),
            (StreamDirection.Ingress, PrepareOk(7, columns: 2, parameters: 2, deprecateEof)),
            (StreamDirection.Egress, Execute(7, 2, [false, false], [int32, varString], Concat(U32(5), LenencString("widget")))),
            (StreamDirection.Ingress, ResultSet(1, deprecateEof)),
            (StreamDirection.Egress, Execute(7, 2, [false, true], null, U32(6))),
            (StreamDirection.Ingress, ResultSet(0, deprecateEof)),
            (StreamDirection.Egress, Command(0x19, U32(7))),
            (StreamDirection.Egress, Command(0x0e)),
            (StreamDirection.Ingress, Ok(1)),
            (StreamDirection.Egress, Command(0x01)),
        ];
    }

    public static void Play(MySqlParserDriver driver, IEnumerable<(StreamDirection Direction, byte[] Bytes)> steps, int? splitAt = null)
    {
        int step = 0;
        foreach (var (direction, bytes) in steps)
        {
            var time = Tests.Http.RecordingParseContext.Epoch.AddMilliseconds(++step * 10);
            if (splitAt is { } split && split > 0 && split < bytes.Length)
            {
                driver.Feed(direction, bytes.AsSpan(0, split), time);
                driver.Feed(direction, bytes.AsSpan(split), time.AddMilliseconds(1));
            }
            else
            {
                driver.Feed(direction, bytes, time);
            }
        }
    }
}
