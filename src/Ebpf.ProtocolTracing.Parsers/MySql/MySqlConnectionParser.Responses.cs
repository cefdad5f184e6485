using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// The server's stream: the greeting, authentication results, and responses
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html,
/// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html#sect_protocol_com_stmt_prepare_response).
/// </summary>
internal sealed partial class MySqlConnectionParser
{
    private ParseStatus OnServerPacket(StreamDirection direction, byte sequence, ReadOnlySpan<byte> payload, int length, long position)
    {
        if (payload.IsEmpty)
        {
            return ParseStatus.Continue;
        }

        byte first = payload[0];
        if (_swallowTrailingEof)
        {
            // Without CLIENT_DEPRECATE_EOF a prepare response ends with an EOF after its definitions.
            _swallowTrailingEof = false;
            if (first == MySqlProtocol.EofHeader && length <= MySqlResponsePackets.EofLength && sequence != 1)
            {
                return ParseStatus.Continue;
            }
        }

        if (sequence == 0 && first == MySqlProtocol.HandshakeV10 && _responding is null && MySqlHandshake.LooksLikeGreeting(payload))
        {
            StartHandshake(direction, payload, position);
            return ParseStatus.Continue;
        }

        var exchange = _responding ??= TargetOfNewResponse(direction, position);
        if (exchange.Command == MySqlCommand.Connect && first is MySqlProtocol.OkHeader or MySqlProtocol.ErrHeader)
        {
            // The login's outcome: the handshake's latency runs from the greeting to here.
            exchange.ResponseTime = _context.TimeAt(direction, position);
        }

        if (Advance(exchange, payload, length))
        {
            Finish(exchange);
        }

        return ParseStatus.Continue;
    }

    private void StartHandshake(StreamDirection direction, ReadOnlySpan<byte> payload, long position)
    {
        // A greeting starts the conversation: anything still waiting belongs to nothing.
        while (_pending.TryDequeue(out var stale))
        {
            stale.DataLost = true;
            Emit(stale);
        }

        var connect = new MySqlExchange
        {
            Command = MySqlCommand.Connect,
            RequestTime = _context.TimeAt(direction, position),
            Phase = MySqlResponsePhase.Authentication,
        };
        if (!MySqlHandshake.TryReadGreeting(payload, connect, _options.MaxTextLength))
        {
            connect.DataLost = true;
        }

        _statements.Clear();
        _pending.Enqueue(connect);
        _responding = connect;
    }

    /// <summary>Which command a response that just began answers.</summary>
    private MySqlExchange TargetOfNewResponse(StreamDirection direction, long position)
    {
        var time = _context.TimeAt(direction, position);
        if (_responsesLost)
        {
            // Responses were lost: commands sent before this response began, other than the last, were answered unseen.
            _responsesLost = false;
            while (_pending.Count > 1 && SecondSentBefore(time))
            {
                var unanswered = _pending.Dequeue();
                unanswered.DataLost = true;
                Emit(unanswered);
            }
        }

        if (_pending.TryPeek(out var head) && !(_requestsLost && head.RequestTime > time))
        {
            _requestsLost = false;
            head.ResponseTime ??= time;
            return head;
        }

        // The command was not seen (lost, or sent before tracing began).
        return new MySqlExchange { RequestTime = time, ResponseTime = time, DataLost = true };
    }

    private bool SecondSentBefore(DateTimeOffset time)
    {
        int index = 0;
        foreach (var exchange in _pending)
        {
            if (index++ == 1)
            {
                return exchange.RequestTime <= time;
            }
        }

        return false;
    }

    /// <summary>Reads one response packet into <paramref name="exchange"/>; <see langword="true"/> when the response is complete.</summary>
    private bool Advance(MySqlExchange exchange, ReadOnlySpan<byte> payload, int length)
    {
        byte first = payload[0];
        switch (exchange.Phase)
        {
            case MySqlResponsePhase.Authentication:
                return AdvanceAuthentication(exchange, payload);

            case MySqlResponsePhase.Start:
                return AdvanceStart(exchange, payload, length);

            case MySqlResponsePhase.ColumnDefinitions:
                if (--exchange.DefinitionsLeft <= 0)
                {
                    exchange.Phase = MySqlResponsePhase.AfterColumns;
                }

                return false;

            case MySqlResponsePhase.AfterColumns:
                if (MySqlResponsePackets.IsEndOfRows(first, length) && length <= MySqlResponsePackets.EofLength)
                {
                    // The EOF between definitions and rows (no CLIENT_DEPRECATE_EOF).
                    exchange.Phase = MySqlResponsePhase.Rows;
                    return false;
                }

                exchange.Phase = MySqlResponsePhase.Rows;
                return AdvanceRows(exchange, payload, length);

            case MySqlResponsePhase.Rows:
                return AdvanceRows(exchange, payload, length);

            case MySqlResponsePhase.PrepareParameters:
                if (--exchange.DefinitionsLeft > 0)
                {
                    return false;
                }

                if (exchange.PrepareColumnsLeft > 0)
                {
                    exchange.DefinitionsLeft = exchange.PrepareColumnsLeft;
                    exchange.Phase = MySqlResponsePhase.PrepareColumns;
                    return false;
                }

                _swallowTrailingEof = true;
                return true;

            case MySqlResponsePhase.PrepareColumns:
                if (first == MySqlProtocol.EofHeader && length <= MySqlResponsePackets.EofLength)
                {
                    // The EOF after the parameter definitions.
                    return false;
                }

                if (--exchange.DefinitionsLeft > 0)
                {
                    return false;
                }

                _swallowTrailingEof = true;
                return true;

            case MySqlResponsePhase.FieldList:
                if (first == MySqlProtocol.ErrHeader)
                {
                    exchange.Error = MySqlResponsePackets.ReadError(payload, _options.MaxTextLength);
                    return true;
                }

                return MySqlResponsePackets.IsEndOfRows(first, length);

            case MySqlResponsePhase.LocalInfile:
                return ReadFinal(exchange, payload);

            default:
                return true;
        }
    }

    private bool AdvanceAuthentication(MySqlExchange exchange, ReadOnlySpan<byte> payload)
    {
        switch (payload[0])
        {
            case MySqlProtocol.OkHeader:
            case MySqlProtocol.ErrHeader:
                return ReadFinal(exchange, payload);
            case MySqlProtocol.EofHeader:
                // AuthSwitchRequest: the login goes on with another plugin (its scramble is not kept).
                exchange.AuthPlugin = MySqlHandshake.ReadAuthSwitchPlugin(payload, _options.MaxTextLength) ?? exchange.AuthPlugin;
                return false;
            default:
                // AuthMoreData and other plugin round trips.
                return false;
        }
    }

    private bool AdvanceStart(MySqlExchange exchange, ReadOnlySpan<byte> payload, int length)
    {
        byte first = payload[0];
        if (first == MySqlProtocol.ErrHeader)
        {
            exchange.Error = MySqlResponsePackets.ReadError(payload, _options.MaxTextLength);
            return true;
        }

        switch (exchange.CommandCode)
        {
            case MySqlProtocol.ComStmtPrepare:
                return ReadPrepareOk(exchange, payload);
            case MySqlProtocol.ComStatistics:
                return true;
            case MySqlProtocol.ComFieldList:
                exchange.Phase = MySqlResponsePhase.FieldList;
                return Advance(exchange, payload, length);
            case MySqlProtocol.ComStmtFetch:
                exchange.Rows ??= 0;
                exchange.Phase = MySqlResponsePhase.Rows;
                return AdvanceRows(exchange, payload, length);
        }

        if (first == MySqlProtocol.OkHeader || (first == MySqlProtocol.EofHeader && length < 9))
        {
            ushort status = first == MySqlProtocol.OkHeader || length > MySqlResponsePackets.EofLength
                ? MySqlResponsePackets.ReadOk(payload, exchange)
                : MySqlResponsePackets.ReadEof(payload, exchange);
            return (status & MySqlProtocol.ServerMoreResultsExists) == 0;
        }

        if (first == MySqlProtocol.LocalInfileHeader)
        {
            exchange.Phase = MySqlResponsePhase.LocalInfile;
            return false;
        }

        // A result set: its column count, then that many column definitions.
        var reader = new MySqlPayloadReader(payload);
        ulong columns = reader.ReadLengthEncoded() ?? 0;
        if (columns == 0 || columns > 4096)
        {
            exchange.DataLost = true;
            return true;
        }

        exchange.ColumnCount = (int)columns;
        exchange.Rows ??= 0;
        exchange.DefinitionsLeft = (int)columns;
        exchange.Phase = MySqlResponsePhase.ColumnDefinitions;
        if (reader.Remaining == 1 && reader.ReadByte() == 0)
        {
            // MariaDB with MARIADB_CLIENT_CACHE_METADATA: "metadata follows" is 0, the client knows the columns.
            exchange.Phase = MySqlResponsePhase.AfterColumns;
        }

        return false;
    }

    private bool AdvanceRows(MySqlExchange exchange, ReadOnlySpan<byte> payload, int length)
    {
        byte first = payload[0];
        if (MySqlResponsePackets.IsEndOfRows(first, length))
        {
            ushort status = MySqlResponsePackets.ReadEndOfRows(payload, length, exchange);
            if ((status & MySqlProtocol.ServerMoreResultsExists) != 0)
            {
                exchange.Phase = MySqlResponsePhase.Start;
                return false;
            }

            return true;
        }

        if (first == MySqlProtocol.ErrHeader)
        {
            exchange.Error = MySqlResponsePackets.ReadError(payload, _options.MaxTextLength);
            return true;
        }

        exchange.Rows = (exchange.Rows ?? 0) + 1;
        return false;
    }

    private bool ReadPrepareOk(MySqlExchange exchange, ReadOnlySpan<byte> payload)
    {
        // COM_STMT_PREPARE_OK: status, statement id, columns, parameters, filler, warnings.
        if (payload[0] != MySqlProtocol.OkHeader || payload.Length < 12)
        {
            exchange.DataLost = true;
            return true;
        }

        uint id = BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
        int columns = BinaryPrimitives.ReadUInt16LittleEndian(payload[5..]);
        int parameters = BinaryPrimitives.ReadUInt16LittleEndian(payload[7..]);
        exchange.StatementId = id;
        exchange.ColumnCount = columns;
        exchange.ParameterCount = parameters;
        exchange.Warnings = BinaryPrimitives.ReadUInt16LittleEndian(payload[10..]);
        if (exchange.Statement is { } text)
        {
            _statements.Add(id, new MySqlPreparedStatement(text, exchange.StatementTruncated, parameters, columns));
        }

        if (parameters > 0)
        {
            exchange.DefinitionsLeft = parameters;
            exchange.PrepareColumnsLeft = columns;
            exchange.Phase = MySqlResponsePhase.PrepareParameters;
            return false;
        }

        if (columns > 0)
        {
            exchange.DefinitionsLeft = columns;
            exchange.Phase = MySqlResponsePhase.PrepareColumns;
            return false;
        }

        return true;
    }

    /// <summary>The OK or ERR that ends an authentication or a LOCAL INFILE transfer.</summary>
    private bool ReadFinal(MySqlExchange exchange, ReadOnlySpan<byte> payload)
    {
        if (payload[0] == MySqlProtocol.OkHeader)
        {
            MySqlResponsePackets.ReadOk(payload, exchange);
            return true;
        }

        if (payload[0] == MySqlProtocol.ErrHeader)
        {
            exchange.Error = MySqlResponsePackets.ReadError(payload, _options.MaxTextLength);
            return true;
        }

        return false;
    }
}
