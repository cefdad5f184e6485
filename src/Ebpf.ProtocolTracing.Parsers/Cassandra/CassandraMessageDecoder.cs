using System.Text;

namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>Decodes request and response bodies (native_protocol_v4.spec, section 4; v5 differences noted inline).</summary>
internal static class CassandraMessageDecoder
{
    /// <summary>Fills the request's fields from its body head.</summary>
    public static void DecodeRequest(ReadOnlySpan<byte> body, CassandraFrameHeader header, CassandraExchange exchange, CassandraParserOptions options, CassandraStatementCache statements)
    {
        if ((header.Flags & CassandraFrameHeader.CompressionFlag) != 0)
        {
            exchange.Compressed = true;
            return;
        }

        var reader = new CassandraBodyReader(body);
        if ((header.Flags & CassandraFrameHeader.CustomPayloadFlag) != 0)
        {
            SkipBytesMap(ref reader);
        }

        int max = options.MaxQueryLength;
        switch ((CassandraOpcode)header.Opcode)
        {
            case CassandraOpcode.Query:
                exchange.Query = reader.LongString(max);
                exchange.Consistency = Consistency(ref reader);
                break;
            case CassandraOpcode.Prepare:
                exchange.Query = reader.LongString(max);
                break;
            case CassandraOpcode.Execute:
                exchange.PreparedId = reader.ShortBytesHex();
                if (header.ProtocolVersion >= 5)
                {
                    _ = reader.ShortBytesHex(); // result_metadata_id
                }

                exchange.Query = exchange.PreparedId is { } id ? statements.Find(id) : null;
                exchange.Consistency = Consistency(ref reader);
                break;
            case CassandraOpcode.Batch:
                Batch(ref reader, exchange, max, statements);
                break;
            case CassandraOpcode.Register:
                int count = reader.UShort();
                var types = new StringBuilder();
                for (int i = 0; i < count && reader.Ok && types.Length < max; i++)
                {
                    types.Append(i == 0 ? "" : ",").Append(reader.String(max));
                }

                exchange.Query = types.ToString();
                break;
            case CassandraOpcode.AuthResponse:
                // The SASL token carries the user name and password: never read.
                exchange.Query = options.RedactSecrets ? CassandraParserOptions.RedactedValue : null;
                break;
        }
    }

    /// <summary>What a response says, for the record.</summary>
    internal struct ResponseFacts
    {
        public CassandraResultKind? Kind;
        public int? Rows;
        public string? Detail;
        public string? PreparedId;
        public int? ErrorCode;
        public string? ErrorMessage;
    }

    public static ResponseFacts DecodeResponse(ReadOnlySpan<byte> body, CassandraFrameHeader header, CassandraParserOptions options)
    {
        var facts = default(ResponseFacts);
        if ((header.Flags & CassandraFrameHeader.CompressionFlag) != 0)
        {
            return facts;
        }

        var reader = new CassandraBodyReader(body);
        if ((header.Flags & CassandraFrameHeader.TracingFlag) != 0)
        {
            reader.Skip(16); // tracing session [uuid]
        }

        if ((header.Flags & CassandraFrameHeader.WarningFlag) != 0)
        {
            reader.SkipStringList();
        }

        if ((header.Flags & CassandraFrameHeader.CustomPayloadFlag) != 0)
        {
            SkipBytesMap(ref reader);
        }

        int max = options.MaxQueryLength;
        switch ((CassandraOpcode)header.Opcode)
        {
            case CassandraOpcode.Error:
                facts.ErrorCode = reader.Int();
                facts.ErrorMessage = reader.String(max);
                break;
            case CassandraOpcode.Result:
                int kind = reader.Int();
                if (kind is >= 1 and <= 5 && reader.Ok)
                {
                    facts.Kind = (CassandraResultKind)kind;
                }

                switch (facts.Kind)
                {
                    case CassandraResultKind.Rows:
                        int rows = RowCount(ref reader, header.ProtocolVersion);
                        facts.Rows = reader.Ok ? rows : null;
                        break;
                    case CassandraResultKind.SetKeyspace:
                        facts.Detail = reader.String(max);
                        break;
                    case CassandraResultKind.Prepared:
                        facts.PreparedId = reader.ShortBytesHex();
                        break;
                    case CassandraResultKind.SchemaChange:
                        string? change = reader.String(max);
                        string? target = reader.String(max);
                        string? keyspace = reader.String(max);
                        facts.Detail = reader.Ok ? $"{change} {target} {keyspace}" : null;
                        break;
                }

                break;
            case CassandraOpcode.Authenticate:
            case CassandraOpcode.Event:
                facts.Detail = reader.String(max);
                break;
        }

        return facts;
    }

    private static CassandraConsistency? Consistency(ref CassandraBodyReader reader)
    {
        short value = reader.Short();
        return reader.Ok ? (CassandraConsistency)value : null;
    }

    private static void SkipBytesMap(ref CassandraBodyReader reader)
    {
        int count = reader.UShort();
        for (int i = 0; i < count && reader.Ok; i++)
        {
            reader.SkipString();
            reader.SkipBytes();
        }
    }

    private static void Batch(ref CassandraBodyReader reader, CassandraExchange exchange, int max, CassandraStatementCache statements)
    {
        _ = reader.Byte(); // type: logged, unlogged, counter
        int count = reader.UShort();
        exchange.BatchSize = count;
        var text = new StringBuilder();
        for (int i = 0; i < count && reader.Ok; i++)
        {
            byte kind = reader.Byte();
            string? statement = kind == 0 ? reader.LongString(max) : reader.ShortBytesHex() is { } id ? statements.Find(id) ?? id : null;
            int values = reader.UShort();
            for (int v = 0; v < values && reader.Ok; v++)
            {
                reader.SkipBytes();
            }

            if (statement is not null && text.Length < max)
            {
                text.Append(i == 0 ? "" : "; ").Append(statement);
            }
        }

        exchange.Query = text.Length > max ? text.ToString(0, max) : text.ToString();
        exchange.Consistency = Consistency(ref reader);
    }

    /// <summary>Rows metadata (flags, column specs with their types) then the row count.</summary>
    private static int RowCount(ref CassandraBodyReader reader, int version)
    {
        int flags = reader.Int();
        int columns = reader.Int();
        if ((flags & 0x0002) != 0)
        {
            reader.SkipBytes(); // paging state
        }

        if (version >= 5 && (flags & 0x0008) != 0)
        {
            _ = reader.ShortBytesHex(); // new_metadata_id
        }

        if ((flags & 0x0004) == 0)
        {
            bool global = (flags & 0x0001) != 0;
            if (global)
            {
                reader.SkipString();
                reader.SkipString();
            }

            for (int c = 0; c < columns && reader.Ok; c++)
            {
                if (!global)
                {
                    reader.SkipString();
                    reader.SkipString();
                }

                reader.SkipString(); // name
                reader.SkipOption();
            }
        }

        return reader.Int();
    }
}
