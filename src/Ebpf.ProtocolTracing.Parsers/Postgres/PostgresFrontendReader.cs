using System.Buffers.Binary;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>What an untyped startup-phase message leaves the stream expecting.</summary>
internal enum PostgresUntypedOutcome
{
    Invalid,

    /// <summary>SSLRequest, GSSENCRequest or CancelRequest: another untyped message may follow.</summary>
    StillStartupPhase,

    /// <summary>A StartupMessage: typed messages follow.</summary>
    StartupDone,
}

/// <summary>
/// Reads frontend messages: keeps the statement cache (Parse, Bind, Close), decodes bound parameters,
/// and queues what waits for an answer with the matcher.
/// See https://www.postgresql.org/docs/current/protocol-message-formats.html.
/// </summary>
internal sealed class PostgresFrontendReader(PostgresResponseMatcher matcher, PostgresParserOptions options)
{
    private readonly PostgresNameCache<PostgresPreparedStatement> _statements = new(options.MaxCachedStatements);
    private readonly PostgresNameCache<PostgresPortal> _portals = new(options.MaxCachedStatements);

    public int CachedStatementCount => _statements.Count;

    /// <summary>Handles an untyped message; <paramref name="message"/> starts at its code (after the length).</summary>
    public PostgresUntypedOutcome OnUntypedMessage(ReadOnlySpan<byte> message, DateTimeOffset time)
    {
        var reader = new PostgresBodyReader(message);
        int code = reader.ReadInt32();
        switch (code)
        {
            case PostgresMessageTypes.SslRequestCode:
                matcher.Add(new PostgresPendingOperation { Kind = PostgresOperationKind.SslRequest, RequestTime = time });
                return PostgresUntypedOutcome.StillStartupPhase;
            case PostgresMessageTypes.GssEncRequestCode:
                matcher.Add(new PostgresPendingOperation { Kind = PostgresOperationKind.GssEncRequest, RequestTime = time });
                return PostgresUntypedOutcome.StillStartupPhase;
            case PostgresMessageTypes.CancelRequestCode:
                // The secret key that follows the process id is not kept.
                matcher.EmitUnanswered(new PostgresPendingOperation
                {
                    Kind = PostgresOperationKind.CancelRequest,
                    RequestTime = time,
                    BackendProcessId = reader.ReadInt32(),
                });
                return PostgresUntypedOutcome.StillStartupPhase;
        }

        if ((code >> 16) != 3)
        {
            return PostgresUntypedOutcome.Invalid;
        }

        string? user = null;
        string? database = null;
        string? application = null;
        while (reader.Remaining > 0)
        {
            var name = reader.ReadCStringBytes();
            if (name.IsEmpty)
            {
                break;
            }

            string value = reader.ReadCString(256, out _);
            if (name.SequenceEqual("user"u8))
            {
                user = value;
            }
            else if (name.SequenceEqual("database"u8))
            {
                database = value;
            }
            else if (name.SequenceEqual("application_name"u8))
            {
                application = value;
            }
        }

        matcher.Add(new PostgresPendingOperation
        {
            Kind = PostgresOperationKind.Startup,
            RequestTime = time,
            ProtocolVersion = string.Create(CultureInfo.InvariantCulture, $"{code >> 16}.{code & 0xFFFF}"),
            User = user,
            Database = database,
            ApplicationName = application,
        });
        return PostgresUntypedOutcome.StartupDone;
    }

    /// <summary>Handles a typed frontend message.</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="body">The buffered head of its body (all of it unless the message is longer than the head limit).</param>
    /// <param name="time">When its first byte crossed the syscall boundary.</param>
    public void OnMessage(byte type, ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        switch (type)
        {
            case (byte)'Q':
                {
                    var reader = new PostgresBodyReader(body);
                    string text = reader.ReadCString(options.MaxStatementLength, out bool truncated);
                    matcher.Add(new PostgresPendingOperation
                    {
                        Kind = PostgresOperationKind.Query,
                        RequestTime = time,
                        Statement = text,
                        StatementTruncated = truncated || reader.Exhausted,
                    });
                    break;
                }

            case (byte)'P':
                OnParse(body, time);
                break;
            case (byte)'B':
                OnBind(body, time);
                break;
            case (byte)'E':
                OnExecute(body, time);
                break;
            case (byte)'D':
                {
                    var reader = new PostgresBodyReader(body);
                    byte target = reader.ReadByte();
                    string name = reader.ReadCString();
                    matcher.Add(new PostgresPendingOperation
                    {
                        Kind = PostgresOperationKind.Describe,
                        RequestTime = time,
                        DescribeTarget = target,
                        DescribedStatement = target == (byte)'S' ? _statements.Find(name) : null,
                    });
                    break;
                }

            case (byte)'C':
                {
                    var reader = new PostgresBodyReader(body);
                    byte target = reader.ReadByte();
                    string name = reader.ReadCString();
                    if (target == (byte)'S')
                    {
                        _statements.Remove(name);
                    }
                    else
                    {
                        _portals.Remove(name);
                    }

                    matcher.Add(new PostgresPendingOperation { Kind = PostgresOperationKind.Close, RequestTime = time });
                    break;
                }

            case (byte)'S':
                matcher.Add(new PostgresPendingOperation { Kind = PostgresOperationKind.Sync, RequestTime = time });
                break;
            case (byte)'F':
                {
                    var reader = new PostgresBodyReader(body);
                    uint function = (uint)reader.ReadInt32();
                    matcher.Add(new PostgresPendingOperation
                    {
                        Kind = PostgresOperationKind.FunctionCall,
                        RequestTime = time,
                        Statement = string.Create(CultureInfo.InvariantCulture, $"function {function}"),
                    });
                    break;
                }

            case (byte)'p':
                matcher.OnCredential(options.RedactSecrets
                    ? PostgresParserOptions.RedactedValue
                    : PostgresBodyReader.Decode(body, options.MaxParameterLength, out _).Replace('\0', ' '));
                break;

            // Flush, Terminate and COPY data get no answer of their own.
        }
    }

    private void OnParse(ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        var reader = new PostgresBodyReader(body);
        string name = reader.ReadCString();
        string text = reader.ReadCString(options.MaxStatementLength, out bool truncated);
        bool textCut = truncated || reader.Exhausted;
        int count = (ushort)reader.ReadInt16();
        var types = new uint[Math.Min(count, reader.Remaining / 4)];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = (uint)reader.ReadInt32();
        }

        var statement = new PostgresPreparedStatement(name, text, textCut, types);
        _statements.Set(name, statement);
        matcher.Add(new PostgresPendingOperation
        {
            Kind = PostgresOperationKind.Parse,
            RequestTime = time,
            Statement = text,
            StatementTruncated = textCut,
            StatementName = name,
        });
    }

    private void OnBind(ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        var reader = new PostgresBodyReader(body);
        string portalName = reader.ReadCString();
        string statementName = reader.ReadCString();
        int formatCount = (ushort)reader.ReadInt16();
        var formats = reader.ReadBytes(formatCount * 2);
        int count = (ushort)reader.ReadInt16();
        var statement = _statements.Find(statementName);
        var values = new string?[Math.Min(count, options.MaxParameters)];
        for (int i = 0; i < count && !reader.Exhausted; i++)
        {
            int length = reader.ReadInt32();
            if (reader.Exhausted)
            {
                break;
            }

            var value = length < 0 ? default : reader.ReadBytes(length);
            if (i >= values.Length)
            {
                continue;
            }

            if (length < 0)
            {
                values[i] = null;
                continue;
            }

            // One format code applies to all; none means text (Bind's format codes).
            int formatIndex = formatCount == 1 ? 0 : i;
            bool binary = formatIndex < formatCount && formats.Length >= (formatIndex * 2) + 2
                && BinaryPrimitives.ReadInt16BigEndian(formats[(formatIndex * 2)..]) == 1;
            uint typeOid = statement is not null && i < statement.ParameterTypes.Length ? statement.ParameterTypes[i] : 0;
            values[i] = PostgresValueFormatter.Format(value, binary, typeOid, options.MaxParameterLength, complete: !reader.Exhausted);
        }

        _portals.Set(portalName, new PostgresPortal(statementName, statement, values, count));
        matcher.Add(new PostgresPendingOperation
        {
            Kind = PostgresOperationKind.Bind,
            RequestTime = time,
            Statement = statement?.Text,
            StatementTruncated = statement?.TextTruncated ?? false,
            StatementName = statementName,
            Parameters = values,
            ParameterCount = count,
        });
    }

    private void OnExecute(ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        var reader = new PostgresBodyReader(body);
        string portalName = reader.ReadCString();
        var portal = _portals.Find(portalName);
        matcher.Add(new PostgresPendingOperation
        {
            Kind = PostgresOperationKind.Execute,
            RequestTime = time,
            Statement = portal?.Statement?.Text,
            StatementTruncated = portal?.Statement?.TextTruncated ?? false,
            StatementName = portal?.StatementName,
            Parameters = portal?.Parameters ?? [],
            ParameterCount = portal?.ParameterCount ?? 0,
        });
    }
}
