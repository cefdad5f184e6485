using static Ebpf.ProtocolTracing.Parsers.Tests.Postgres.PostgresWire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Postgres;

/// <summary>Client/server conversations as a real client and server exchange them.</summary>
internal static class PostgresConversations
{
    public const string Secret = "s3cr3t-Pa55word";

    public static readonly byte[] Md5Salt = [0xA1, 0xB2, 0xC3, 0xD4];

    public static (bool FromClient, byte[] Bytes)[] StartupWithMd5() =>
    [
        (true, SslRequest()),
        (false, "N"u8.ToArray()),
        (true, Startup(("user", "alice"), ("database", "shop"), ("application_name", "psql"))),
        (false, AuthenticationMd5(Md5Salt)),
        (true, Password("md5" + Secret)),
        (false, Concat(AuthenticationOk(), ParameterStatus("server_version", "15.8"), ParameterStatus("TimeZone", "UTC"), BackendKeyData(4321, 987654), ReadyForQuery())),
    ];

    public static (bool FromClient, byte[] Bytes)[] SimpleQueries() =>
    [
        (true, Query("select id, name from items")),
        (false, Concat(RowDescription("id", "name"), DataRow("1", "a"), DataRow("2", null), DataRow("3", "c"), CommandComplete("SELECT 3"), ReadyForQuery())),
        (true, Query("insert into items values (4, 'd'), (5, 'e')")),
        (false, Concat(Notice("be careful"), CommandComplete("INSERT 0 2"), ReadyForQuery('I'))),
        (true, Query("select * from missing")),
        (false, Concat(Error("42P01", "relation \"missing\" does not exist"), ReadyForQuery())),
        (true, Query("")),
        (false, Concat(EmptyQuery(), ReadyForQuery())),
    ];

    /// <summary>A named statement prepared once and executed twice with binary parameters.</summary>
    public static (bool FromClient, byte[] Bytes)[] PreparedTwice() =>
    [
        (true, Concat(
            Parse("s1", "select * from items where id = $1 and tag = $2 and ok = $3", 23, 25, 16),
            Bind("", "s1", (true, Int32(42)), (false, "red"u8.ToArray()), (true, [1])),
            Describe('P', ""), Execute(), Sync())),
        (false, Concat(ParseComplete(), BindComplete(), RowDescription("id"), DataRow("42"), CommandComplete("SELECT 1"), ReadyForQuery())),
        (true, Concat(Bind("", "s1", (true, Int32(7)), (false, null), (true, [0])), Execute(), Sync())),
        (false, Concat(BindComplete(), CommandComplete("SELECT 0"), ReadyForQuery())),
    ];

    /// <summary>Three executes in one pipeline; the second fails, so the server skips the third.</summary>
    public static (bool FromClient, byte[] Bytes)[] PipelineWithError() =>
    [
        (true, Concat(
            Parse("", "insert into t values ($1)", 20), Bind("", "", (true, Int64(1))), Execute(),
            Parse("", "insert into nope values ($1)", 20), Bind("", "", (true, Int64(2))), Execute(),
            Parse("", "insert into t values ($1)", 20), Bind("", "", (true, Int64(3))), Execute(),
            Sync())),
        (false, Concat(
            ParseComplete(), BindComplete(), CommandComplete("INSERT 0 1"),
            Error("42P01", "relation \"nope\" does not exist"),
            ReadyForQuery())),
    ];
}
