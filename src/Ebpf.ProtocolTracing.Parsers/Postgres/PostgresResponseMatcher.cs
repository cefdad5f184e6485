using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// Pairs backend messages with the frontend messages waiting for them, in order, and emits a record
/// when an exchange ends. The backend answers every frontend message in the order sent
/// (https://www.postgresql.org/docs/current/protocol-flow.html): Parse → ParseComplete, Bind →
/// BindComplete, Execute → rows and CommandComplete, Sync and Query → ReadyForQuery. After an error in
/// the extended protocol the backend skips everything up to the next Sync.
/// </summary>
internal sealed class PostgresResponseMatcher(IParseContext context, PostgresParserOptions options)
{
    private readonly List<PostgresPendingOperation> _pending = [];
    private int _head;

    // An error of a Parse, Bind or Describe is reported on the Execute of the same pipeline.
    private PostgresError? _carriedError;
    private PostgresPendingOperation? _carriedFrom;

    private bool _discardUntilReady;
    private bool _awaitingJoin;

    /// <summary>The direction that carries frontend messages; <see langword="null"/> until known.</summary>
    public StreamDirection? RequestDirection { get; set; }

    public int PendingCount => _pending.Count - _head;

    private PostgresPendingOperation? Head => _head < _pending.Count ? _pending[_head] : null;

    /// <summary>Whether the next backend byte is the one-byte answer to an SSLRequest or GSSENCRequest.</summary>
    public bool ExpectsEncryptionAnswer => Head is { Kind: PostgresOperationKind.SslRequest or PostgresOperationKind.GssEncRequest } && !_discardUntilReady;

    public void Add(PostgresPendingOperation operation)
    {
        if (PendingCount >= options.MaxPendingRequests)
        {
            var oldest = Pop();
            oldest.DataLost = true;
            EmitIfRecord(oldest, transactionStatus: null);
        }

        _pending.Add(operation);
    }

    /// <summary>The backend stream was joined mid-conversation: messages sent before the first pending request are not its answers.</summary>
    public void BackendJoined() => _awaitingJoin = true;

    /// <summary>Handles one backend message (its buffered head in <paramref name="body"/>).</summary>
    public void OnBackendMessage(byte type, ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        if (_discardUntilReady)
        {
            if (type == (byte)'Z')
            {
                _discardUntilReady = false;
                DrainThroughReady(lost: true, transactionStatus: null);
            }

            return;
        }

        var head = Head;
        if (_awaitingJoin)
        {
            // Answers to requests sent before tracing started were written before the first request we saw.
            if (head is null || time < head.RequestTime)
            {
                return;
            }

            _awaitingJoin = false;
        }

        if (head is null)
        {
            return;
        }

        if (head.Kind == PostgresOperationKind.Lost)
        {
            if (type == (byte)'Z')
            {
                Pop();
            }

            return;
        }

        head.ResponseTime ??= time;
        switch (type)
        {
            case (byte)'R':
                OnAuthentication(head, body);
                break;
            case (byte)'S':
                OnParameterStatus(head, body);
                break;
            case (byte)'K':
                if (head.Kind == PostgresOperationKind.Startup)
                {
                    head.BackendProcessId = new PostgresBodyReader(body).ReadInt32();
                }

                break;
            case (byte)'Z':
                DrainThroughReady(lost: false, transactionStatus: body.IsEmpty ? null : (char)body[0]);
                break;
            case (byte)'T':
                head.SawRowDescription = true;
                PopIf(head, PostgresOperationKind.Describe);
                break;
            case (byte)'n':
                PopIf(head, PostgresOperationKind.Describe);
                break;
            case (byte)'t':
                OnParameterDescription(head, body);
                break;
            case (byte)'D':
                head.DataRows++;
                break;
            case (byte)'C':
                OnCommandComplete(head, new PostgresBodyReader(body).ReadCString());
                break;
            case (byte)'I':
                OnCommandComplete(head, "");
                break;
            case (byte)'s':
                if (head.Kind == PostgresOperationKind.Execute)
                {
                    EmitIfRecord(Pop(), transactionStatus: null);
                }

                break;
            case (byte)'1':
                if (head.Kind == PostgresOperationKind.Parse)
                {
                    Pop();
                    if (!ExecuteFollowsBeforeSync())
                    {
                        EmitIfRecord(head, transactionStatus: null);
                    }
                }

                break;
            case (byte)'2':
                PopIf(head, PostgresOperationKind.Bind);
                break;
            case (byte)'3':
                PopIf(head, PostgresOperationKind.Close);
                break;
            case (byte)'E':
                OnError(head, PostgresErrorReader.Read(body));
                break;
            case (byte)'N':
                head.AddNotice(PostgresErrorReader.Read(body));
                break;
        }
    }

    /// <summary>The one-byte answer to an SSLRequest or GSSENCRequest.</summary>
    public void OnEncryptionAnswer(byte answer, DateTimeOffset time)
    {
        var operation = Pop();
        operation.ResponseTime = time;
        Emit(operation, transactionStatus: null, skipped: false, encryptionAccepted: answer is (byte)'S' or (byte)'G');
    }

    /// <summary>A PasswordMessage, SASL or GSS response: kept (already redacted) on the startup exchange it belongs to.</summary>
    public void OnCredential(string credential)
    {
        for (int i = _head; i < _pending.Count; i++)
        {
            if (_pending[i].Kind == PostgresOperationKind.Startup)
            {
                _pending[i].Credential = credential;
                return;
            }
        }
    }

    /// <summary>Emits a record for a message the backend never answers (CancelRequest).</summary>
    public void EmitUnanswered(PostgresPendingOperation operation) =>
        Emit(operation, transactionStatus: null, skipped: false, encryptionAccepted: null);

    /// <summary>Frontend bytes were lost: what is pending may be answered by messages we cannot place.</summary>
    public void OnFrontendLost()
    {
        for (int i = _head; i < _pending.Count; i++)
        {
            _pending[i].DataLost = true;
        }

        // The lost bytes almost always held a request; its answers run up to a ReadyForQuery.
        if (PendingCount == 0 || _pending[^1].Kind != PostgresOperationKind.Lost)
        {
            Add(new PostgresPendingOperation { Kind = PostgresOperationKind.Lost });
        }
    }

    /// <summary>Backend bytes were lost: the exchange in progress ends, as lost, at the next ReadyForQuery.</summary>
    public void OnBackendLost()
    {
        if (PendingCount > 0)
        {
            _discardUntilReady = true;
        }
    }

    /// <summary>The connection ended: emit every exchange still waiting, with what it got.</summary>
    public void Complete()
    {
        while (PendingCount > 0)
        {
            var operation = Pop();
            if (_carriedError is not null && operation.Kind == PostgresOperationKind.Execute)
            {
                operation.Error = _carriedError;
                _carriedError = null;
            }

            if (operation.Kind != PostgresOperationKind.Parse || !ExecuteFollowsBeforeSync())
            {
                EmitIfRecord(operation, transactionStatus: null);
            }
        }

        EmitCarriedError();
    }

    private static void OnAuthentication(PostgresPendingOperation head, ReadOnlySpan<byte> body)
    {
        if (head.Kind != PostgresOperationKind.Startup)
        {
            return;
        }

        var reader = new PostgresBodyReader(body);
        int code = reader.ReadInt32();
        string? method = code switch
        {
            0 => "Ok",
            2 => "KerberosV5",
            3 => "CleartextPassword",
            5 => "MD5Password",
            7 => "GSS",
            9 => "SSPI",
            10 => "SASL " + reader.ReadCString(),
            _ => null, // 8, 11, 12: continuations of an exchange already named.
        };
        // The first request names the method; the Ok that ends it must not rename it.
        head.AuthenticationMethod ??= method;
    }

    private static void OnParameterStatus(PostgresPendingOperation head, ReadOnlySpan<byte> body)
    {
        if (head.Kind != PostgresOperationKind.Startup)
        {
            return;
        }

        var reader = new PostgresBodyReader(body);
        if (reader.ReadCStringBytes().SequenceEqual("server_version"u8))
        {
            head.ServerVersion = reader.ReadCString(64, out _);
        }
    }

    private static void OnParameterDescription(PostgresPendingOperation head, ReadOnlySpan<byte> body)
    {
        if (head.Kind != PostgresOperationKind.Describe || head.DescribedStatement is not { } statement)
        {
            return;
        }

        var reader = new PostgresBodyReader(body);
        int count = (ushort)reader.ReadInt16();
        var types = new uint[Math.Min(count, reader.Remaining / 4)];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = (uint)reader.ReadInt32();
        }

        statement.ParameterTypes = types;
    }

    private void OnCommandComplete(PostgresPendingOperation head, string tag)
    {
        if (head.Kind is not (PostgresOperationKind.Query or PostgresOperationKind.Execute))
        {
            return;
        }

        head.CommandTag = tag;
        PostgresCommandTag.Read(tag, out long? affected, out _);
        if (affected is not null)
        {
            head.RowsAffected = (head.Kind == PostgresOperationKind.Query ? head.RowsAffected ?? 0 : 0) + affected;
        }

        if (head.Kind == PostgresOperationKind.Execute)
        {
            EmitIfRecord(Pop(), transactionStatus: null);
        }
    }

    private void OnError(PostgresPendingOperation head, PostgresError error)
    {
        switch (head.Kind)
        {
            case PostgresOperationKind.Query or PostgresOperationKind.FunctionCall:
                head.Error ??= error;
                break;
            case PostgresOperationKind.Startup:
                // Fatal during startup: the server closes the connection.
                head.Error = error;
                EmitIfRecord(Pop(), transactionStatus: null);
                break;
            case PostgresOperationKind.Sync:
                break;
            case PostgresOperationKind.Execute:
                head.Error = error;
                EmitIfRecord(Pop(), transactionStatus: null);
                break;
            default:
                Pop();
                if (_carriedError is null)
                {
                    _carriedError = error;
                    _carriedFrom = head;
                }

                break;
        }
    }

    /// <summary>ReadyForQuery: everything up to the exchange it ends is over; what got no answer was skipped.</summary>
    private void DrainThroughReady(bool lost, char? transactionStatus)
    {
        while (PendingCount > 0)
        {
            var operation = Pop();
            operation.DataLost |= lost;
            if (operation.EndsAtReadyForQuery)
            {
                EmitIfRecord(operation, transactionStatus);
                break;
            }

            if (operation.Kind == PostgresOperationKind.Execute)
            {
                if (_carriedError is not null)
                {
                    operation.Error = _carriedError;
                    _carriedError = null;
                    _carriedFrom = null;
                    EmitIfRecord(operation, transactionStatus: null);
                }
                else
                {
                    Emit(operation, transactionStatus: null, skipped: !lost, encryptionAccepted: null);
                }
            }
        }

        EmitCarriedError();
    }

    private void EmitCarriedError()
    {
        if (_carriedError is { } error && _carriedFrom is { } from)
        {
            from.Error = error;
            Emit(from, transactionStatus: null, skipped: false, encryptionAccepted: null);
        }

        _carriedError = null;
        _carriedFrom = null;
    }

    private bool ExecuteFollowsBeforeSync()
    {
        for (int i = _head; i < _pending.Count; i++)
        {
            var kind = _pending[i].Kind;
            if (kind == PostgresOperationKind.Execute)
            {
                return true;
            }

            if (kind is PostgresOperationKind.Sync or PostgresOperationKind.Query or PostgresOperationKind.Lost)
            {
                return false;
            }
        }

        return false;
    }

    private void PopIf(PostgresPendingOperation head, PostgresOperationKind kind)
    {
        if (head.Kind == kind)
        {
            Pop();
        }
    }

    private PostgresPendingOperation Pop()
    {
        var operation = _pending[_head];
        _pending[_head] = null!;
        _head++;
        if (_head == _pending.Count)
        {
            _pending.Clear();
            _head = 0;
        }
        else if (_head >= 64 && _head * 2 >= _pending.Count)
        {
            _pending.RemoveRange(0, _head);
            _head = 0;
        }

        return operation;
    }

    private void EmitIfRecord(PostgresPendingOperation operation, char? transactionStatus)
    {
        if (operation.Kind is PostgresOperationKind.Startup or PostgresOperationKind.Query or PostgresOperationKind.FunctionCall
            or PostgresOperationKind.Execute or PostgresOperationKind.Parse or PostgresOperationKind.SslRequest or PostgresOperationKind.GssEncRequest)
        {
            Emit(operation, transactionStatus, skipped: false, encryptionAccepted: null);
        }
    }

    private void Emit(PostgresPendingOperation operation, char? transactionStatus, bool skipped, bool? encryptionAccepted)
    {
        var command = operation.Kind switch
        {
            PostgresOperationKind.Startup => PostgresCommand.Startup,
            PostgresOperationKind.SslRequest => PostgresCommand.SslRequest,
            PostgresOperationKind.GssEncRequest => PostgresCommand.GssEncRequest,
            PostgresOperationKind.Query => PostgresCommand.Query,
            PostgresOperationKind.FunctionCall => PostgresCommand.FunctionCall,
            PostgresOperationKind.Parse => PostgresCommand.Parse,
            PostgresOperationKind.CancelRequest => PostgresCommand.CancelRequest,
            _ => PostgresCommand.Execute,
        };

        long? rowsReturned = null;
        long? rowsAffected = operation.RowsAffected;
        if (operation.CommandTag is { } tag)
        {
            PostgresCommandTag.Read(tag, out _, out long? selected);
            if (operation.DataRows > 0 || operation.SawRowDescription || selected == 0)
            {
                rowsReturned = operation.DataRows;
            }
            else if (selected is not null)
            {
                // SELECT INTO / CREATE TABLE AS: rows written, none sent.
                rowsAffected = selected;
            }
        }
        else if (operation.DataRows > 0)
        {
            rowsReturned = operation.DataRows;
        }

        context.Emit(new PostgresRecord
        {
            Connection = context.Connection,
            Role = RequestDirection == StreamDirection.Ingress ? ConnectionRole.Server : ConnectionRole.Client,
            RequestTime = operation.RequestTime,
            ResponseTime = operation.ResponseTime,
            DataLost = operation.DataLost,
            Command = command,
            Statement = operation.Statement,
            StatementTruncated = operation.StatementTruncated,
            StatementName = string.IsNullOrEmpty(operation.StatementName) ? null : operation.StatementName,
            Parameters = operation.Parameters,
            ParameterCount = operation.ParameterCount,
            CommandTag = operation.CommandTag,
            RowsReturned = rowsReturned,
            RowsAffected = rowsAffected,
            Error = operation.Error,
            Notices = operation.Notices is { } notices ? notices.ToArray() : [],
            Skipped = skipped,
            TransactionStatus = transactionStatus,
            ProtocolVersion = operation.ProtocolVersion,
            User = operation.User,
            Database = operation.Database,
            ApplicationName = operation.ApplicationName,
            AuthenticationMethod = operation.AuthenticationMethod,
            Credential = operation.Credential,
            ServerVersion = operation.ServerVersion,
            BackendProcessId = operation.BackendProcessId,
            EncryptionAccepted = encryptionAccepted,
        });
    }
}
