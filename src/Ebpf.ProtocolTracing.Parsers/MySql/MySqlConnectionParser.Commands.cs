using System.Buffers.Binary;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>The client's stream: the handshake response and commands.</summary>
internal sealed partial class MySqlConnectionParser
{
    private ParseStatus OnClientPacket(StreamDirection direction, byte sequence, ReadOnlySpan<byte> payload, int length, long position)
    {
        _pending.TryPeek(out var head);
        if (head is { Command: MySqlCommand.Connect, ClientSpoke: false } && sequence == 1)
        {
            head.ClientSpoke = true;
            if (!MySqlHandshake.TryReadResponse(payload, head, _options.MaxTextLength))
            {
                head.DataLost = true;
            }

            _capabilities = head.Capabilities ?? 0;
            if (head.TlsRequested)
            {
                // Everything after an SSLRequest is TLS: the handshake is all this stream will show.
                Finish(head);
                return ParseStatus.Stop;
            }

            return ParseStatus.Continue;
        }

        if (sequence != 0)
        {
            // Authentication round trips and LOCAL INFILE contents: their bytes are never kept.
            return head is { Phase: MySqlResponsePhase.Authentication or MySqlResponsePhase.LocalInfile } || head is { Command: MySqlCommand.Connect }
                ? ParseStatus.Continue
                : ParseStatus.Invalid;
        }

        if (payload.IsEmpty)
        {
            return ParseStatus.Invalid;
        }

        byte code = payload[0];
        if (MySqlProtocol.CommandOf(code) is not { } command || !MySqlProtocol.IsPlausibleLength(code, length))
        {
            return ParseStatus.Invalid;
        }

        var exchange = new MySqlExchange
        {
            Command = command,
            CommandCode = code,
            RequestTime = _context.TimeAt(direction, position),
        };
        ReadCommand(exchange, code, payload, length);

        if (MySqlProtocol.HasNoResponse(code))
        {
            Emit(exchange);
            return ParseStatus.Continue;
        }

        if (_pending.Count >= _options.MaxPendingCommands)
        {
            // More commands than MySQL ever leaves unanswered: responses were lost.
            var oldest = _pending.Dequeue();
            oldest.DataLost = true;
            if (ReferenceEquals(_responding, oldest))
            {
                _responding = null;
            }

            Emit(oldest);
        }

        _pending.Enqueue(exchange);
        return ParseStatus.Continue;
    }

    private void ReadCommand(MySqlExchange exchange, byte code, ReadOnlySpan<byte> payload, int length)
    {
        var body = payload[1..];
        switch (code)
        {
            case MySqlProtocol.ComQuery:
            case MySqlProtocol.ComStmtPrepare:
                exchange.Statement = MySqlStatementText.Read(body, length - 1, _options, out exchange.StatementTruncated);
                break;

            case MySqlProtocol.ComInitDb:
                exchange.Statement = MySqlPayloadReader.Text(body, _options.MaxTextLength);
                exchange.StatementTruncated = body.Length > _options.MaxTextLength;
                break;

            case MySqlProtocol.ComFieldList:
                {
                    var reader = new MySqlPayloadReader(body);
                    exchange.Statement = MySqlPayloadReader.Text(reader.ReadNullTerminated(), _options.MaxTextLength);
                    break;
                }

            case MySqlProtocol.ComChangeUser:
                MySqlHandshake.ReadChangeUser(body, exchange, _capabilities, _options.MaxTextLength);
                exchange.ClientSpoke = true;
                exchange.Phase = MySqlResponsePhase.Authentication;
                break;

            case MySqlProtocol.ComStmtExecute:
            case MySqlProtocol.ComStmtClose:
            case MySqlProtocol.ComStmtReset:
            case MySqlProtocol.ComStmtSendLongData:
            case MySqlProtocol.ComStmtFetch:
                ReadStatementCommand(exchange, code, payload);
                break;
        }
    }

    private void ReadStatementCommand(MySqlExchange exchange, byte code, ReadOnlySpan<byte> payload)
    {
        uint id = BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
        exchange.StatementId = id;
        var statement = _statements.Find(id);
        if (statement is not null)
        {
            exchange.Statement = statement.Text;
            exchange.StatementTruncated = statement.Truncated;
        }

        if (code == MySqlProtocol.ComStmtClose)
        {
            _statements.Remove(id);
        }
        else if (code == MySqlProtocol.ComStmtSendLongData && statement is not null)
        {
            int parameter = BinaryPrimitives.ReadUInt16LittleEndian(payload[5..]);
            if (parameter < 64)
            {
                statement.LongDataParameters |= 1UL << parameter;
            }
        }
        else if (code == MySqlProtocol.ComStmtReset && statement is not null)
        {
            statement.LongDataParameters = 0;
        }
        else if (code == MySqlProtocol.ComStmtExecute && statement is not null)
        {
            exchange.ParameterCount = statement.ParameterCount;
            var parameters = MySqlParameterDecoder.Decode(payload, statement, (_capabilities & MySqlProtocol.ClientQueryAttributes) != 0, _options);
            if (!_options.CaptureParameterValues)
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    parameters[i] = parameters[i] with { Value = null, Truncated = false };
                }
            }

            exchange.Parameters = parameters;
            statement.LongDataParameters = 0;
        }
    }
}
