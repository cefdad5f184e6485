using System.Globalization;
using System.Text;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>
/// One CQL exchange: a request and the response with the same stream id, or an EVENT the server pushed
/// (https://github.com/apache/cassandra/blob/trunk/doc/native_protocol_v4.spec).
/// </summary>
public sealed record CassandraRecord : ProtocolRecord
{
    /// <inheritdoc />
    public override string Protocol => "cassandra";

    /// <summary>The request's message type (EVENT for a server push).</summary>
    public required CassandraOpcode Opcode { get; init; }

    /// <summary>The response's message type; <see langword="null"/> without a response.</summary>
    public CassandraOpcode? ResponseOpcode { get; init; }

    /// <summary>The protocol version of the request frame (3, 4 or 5).</summary>
    public required int ProtocolVersion { get; init; }

    /// <summary>The stream id that paired request and response.</summary>
    public required short StreamId { get; init; }

    /// <summary>
    /// The CQL text: of a QUERY or PREPARE; of an EXECUTE when its PREPARE was seen; BATCH statements joined by
    /// <c>; </c>; the REGISTER event types or EVENT type; <see cref="CassandraParserOptions.RedactedValue"/> for AUTH_RESPONSE.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>EXECUTE (and the PREPARE result): the prepared statement id in hex.</summary>
    public string? PreparedId { get; init; }

    /// <summary>The consistency level of a QUERY, EXECUTE or BATCH.</summary>
    public CassandraConsistency? Consistency { get; init; }

    /// <summary>BATCH: how many statements it held.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The RESULT kind; <see langword="null"/> when the response is not a RESULT.</summary>
    public CassandraResultKind? ResultKind { get; init; }

    /// <summary>Rows in a Rows result (of this page).</summary>
    public int? RowCount { get; init; }

    /// <summary>Set_keyspace: the keyspace; Schema_change: the change, e.g. <c>CREATED TABLE ks</c>.</summary>
    public string? ResultDetail { get; init; }

    /// <summary>The ERROR code (e.g. 0x2200 Invalid); <see langword="null"/> unless the response is an ERROR.</summary>
    public int? ErrorCode { get; init; }

    /// <summary>The ERROR message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The ERROR code's name, e.g. <c>Invalid</c>, <c>Syntax_error</c>.</summary>
    public string? ErrorName => ErrorCode is { } code ? CassandraErrorNames.Name(code) : null;

    /// <summary>Whether a frame was compressed (its body is not decoded).</summary>
    public bool Compressed { get; init; }

    /// <summary>Bytes the request frame took, header included.</summary>
    public long RequestSize { get; init; }

    /// <summary>Bytes the response frame took, header included; 0 without a response.</summary>
    public long ResponseSize { get; init; }

    /// <inheritdoc />
    public override string Operation => Opcode switch
    {
        CassandraOpcode.Startup => "STARTUP",
        CassandraOpcode.Options => "OPTIONS",
        CassandraOpcode.Query => "QUERY",
        CassandraOpcode.Prepare => "PREPARE",
        CassandraOpcode.Execute => "EXECUTE",
        CassandraOpcode.Register => "REGISTER",
        CassandraOpcode.Event => "EVENT",
        CassandraOpcode.Batch => "BATCH",
        CassandraOpcode.AuthResponse => "AUTH_RESPONSE",
        _ => Opcode.ToString().ToUpperInvariant(),
    };

    /// <inheritdoc />
    public override string? Resource => Query;

    /// <inheritdoc />
    public override string? Outcome => ResponseOpcode switch
    {
        null => null,
        CassandraOpcode.Error => ErrorName,
        CassandraOpcode.Result when RowCount is { } rows => string.Create(CultureInfo.InvariantCulture, $"{rows} rows"),
        CassandraOpcode.Result => ResultKind?.ToString() ?? "RESULT",
        { } other => other.ToString().ToUpperInvariant(),
    };

    /// <inheritdoc />
    public override bool IsError => ResponseOpcode == CassandraOpcode.Error;

    /// <summary>A one-line summary, e.g. <c>cassandra QUERY "SELECT …" ONE -> 3 rows in 0.4 ms Client</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        text.Append("cassandra ").Append(Operation);
        if (Query is not null)
        {
            text.Append(" \"").Append(Query).Append('"');
        }

        if (Consistency is { } consistency)
        {
            text.Append(' ').Append(consistency);
        }

        text.Append(" -> ").Append(Outcome ?? "(no response)");
        if (ErrorMessage is not null)
        {
            text.Append(": ").Append(ErrorMessage);
        }

        if (Latency is { } latency)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {latency.TotalMilliseconds:0.###} ms");
        }

        text.Append(' ').Append(Role);
        if (DataLost)
        {
            text.Append(" [data lost]");
        }

        return text.ToString();
    }
}
