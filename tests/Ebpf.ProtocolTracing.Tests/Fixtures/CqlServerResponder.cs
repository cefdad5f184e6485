using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A CQL server responder built from the public native protocol spec (native_protocol_v4.spec,
/// https://github.com/apache/cassandra/blob/trunk/doc/native_protocol_v4.spec). No Cassandra server can be
/// installed on this machine, so the real client (the DataStax Node.js driver) talks to this instead. It
/// speaks v4 only: a STARTUP in another version (the driver first tries DSE v2) gets the protocol error a
/// server sends, and the driver reconnects with v4. It answers OPTIONS with SUPPORTED; STARTUP with
/// AUTHENTICATE (PasswordAuthenticator), then AUTH_RESPONSE with AUTH_SUCCESS or a bad-credentials ERROR;
/// QUERY on system.local (itself, one node) and any other SELECT (no rows), USE with SET_KEYSPACE, and a
/// query on <see cref="MissingTable"/> with an Invalid ERROR; PREPARE with PREPARED (the id is a 16-byte
/// hash of the text, like Cassandra's); EXECUTE with rows; BATCH with VOID; REGISTER with READY.
/// </summary>
internal sealed class CqlServerResponder : IAsyncDisposable
{
    /// <summary>A table no query succeeds on: the server answers with an Invalid error (0x2200).</summary>
    public const string MissingTable = "missing_table";

    /// <summary>The rows an EXECUTE of a prepared SELECT returns.</summary>
    public const int ExecuteRows = 2;

    private const byte Error = 0x00, Startup = 0x01, Ready = 0x02, Authenticate = 0x03, Options = 0x05, Supported = 0x06,
        Query = 0x07, Result = 0x08, Prepare = 0x09, Execute = 0x0A, Register = 0x0B, Batch = 0x0D, AuthResponse = 0x0F,
        AuthSuccess = 0x10;

    private readonly LoopbackResponderListener _listener;
    private readonly List<CqlRequestSeen> _seen = [];
    private readonly Dictionary<string, string> _prepared = [];

    private CqlServerResponder(string user, string password)
    {
        User = user;
        Password = password;
        _listener = new LoopbackResponderListener(ServeAsync);
    }

    public int Port => _listener.Port;

    public string User { get; }

    public string Password { get; }

    /// <summary>Every v4 request the responder read, in order, with the stream id it came on.</summary>
    public IReadOnlyList<CqlRequestSeen> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>The prepared id the responder gives a statement's text, in hex as records show it.</summary>
    public static string PreparedIdOf(string query) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(query)).AsSpan(0, 16));

    public static CqlServerResponder Start(string user, string password) => new(user, password);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    /// <summary>Reads whatever the socket has (as a server would, not one header at a time) and answers each whole frame.</summary>
    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            var stream = client.GetStream();
            var input = PipeReader.Create(stream);
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    var read = await input.ReadAsync(stopping);
                    var buffer = read.Buffer;
                    bool close = false;
                    while (!close && TryTakeFrame(ref buffer, out var header, out var body))
                    {
                        var (response, closeAfter) = Answer(header, body);
                        await stream.WriteAsync(response, stopping);
                        close = closeAfter;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (close || read.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
            finally
            {
                await input.CompleteAsync();
            }
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out byte[] header, out byte[] body)
    {
        header = [];
        body = [];
        if (buffer.Length < 9)
        {
            return false;
        }

        header = buffer.Slice(0, 9).ToArray();
        int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5));
        if (buffer.Length < 9 + length)
        {
            return false;
        }

        body = buffer.Slice(9, length).ToArray();
        buffer = buffer.Slice(9 + length);
        return true;
    }

    private (byte[] Response, bool Close) Answer(byte[] header, byte[] body)
    {
        byte version = header[0];
        short stream = BinaryPrimitives.ReadInt16BigEndian(header.AsSpan(2));
        byte opcode = header[4];
        if (version != 0x04)
        {
            // What a v4 server says to a version it does not speak; the driver retries on a new connection.
            var refusal = new CqlBodyWriter().Int32(0x000A).String($"Invalid or unsupported protocol version ({version}); supported versions are (4/v4)");
            return (refusal.Frame(stream, Error), true);
        }

        var reader = new Reader(body);
        string? text = opcode is Query or Prepare ? reader.LongString() : null;
        lock (_seen)
        {
            _seen.Add(new CqlRequestSeen(opcode, stream, text));
        }

        var w = new CqlBodyWriter();
        switch (opcode)
        {
            case Options:
                return (w.StringMultimap(new Dictionary<string, string[]>
                {
                    ["CQL_VERSION"] = ["3.4.5"],
                    ["COMPRESSION"] = [],
                    ["PROTOCOL_VERSIONS"] = ["4/v4"],
                }).Frame(stream, Supported), false);
            case Startup:
                return (w.String("org.apache.cassandra.auth.PasswordAuthenticator").Frame(stream, Authenticate), false);
            case AuthResponse:
                return CredentialsMatch(reader.Bytes())
                    ? (w.NullBytes().Frame(stream, AuthSuccess), false)
                    : (w.Int32(0x0100).String("Provided username and/or password are incorrect").Frame(stream, Error), false);
            case Register:
                return (w.Frame(stream, Ready), false);
            case Query:
                return (AnswerQuery(text!, w).Frame(stream, QueryOpcode(text!)), false);
            case Prepare:
                return (PrepareResult(text!, w).Frame(stream, Result), false);
            case Execute:
                return (ExecuteResult(ref reader, w).Frame(stream, Result), false);
            case Batch:
                return (w.Int32(0x0001).Frame(stream, Result), false);
            default:
                return (w.Int32(0x000A).String($"opcode {opcode} is not answered by this responder").Frame(stream, Error), false);
        }
    }

    private static byte QueryOpcode(string query) => query.Contains(MissingTable, StringComparison.Ordinal) ? Error : Result;

    private bool CredentialsMatch(ReadOnlySpan<byte> token)
    {
        // PasswordAuthenticator's SASL PLAIN token: \0user\0password.
        var expected = Encoding.UTF8.GetBytes($"\0{User}\0{Password}");
        return token.SequenceEqual(expected);
    }

    private static CqlBodyWriter AnswerQuery(string query, CqlBodyWriter w)
    {
        if (query.Contains(MissingTable, StringComparison.Ordinal))
        {
            return w.Int32(0x2200).String($"table {MissingTable} does not exist");
        }

        if (query.StartsWith("USE ", StringComparison.OrdinalIgnoreCase))
        {
            return w.Int32(0x0003).String(query[4..].Trim().Trim('"'));
        }

        if (query.Contains("system.local", StringComparison.Ordinal))
        {
            return LocalNode(w);
        }

        if (query.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            // system.peers (a one-node cluster), system_schema.* and anything else: no rows.
            return w.Int32(0x0002).RowsMetadata("system", "peers", [new("peer", CqlBodyWriter.Inet), new("data_center", CqlBodyWriter.Varchar)]).Int32(0);
        }

        return w.Int32(0x0001);
    }

    /// <summary>The one row of system.local the driver reads to accept the node (data center, version, partitioner, tokens).</summary>
    private static CqlBodyWriter LocalNode(CqlBodyWriter w)
    {
        CqlColumn[] columns =
        [
            new("key", CqlBodyWriter.Varchar), new("cluster_name", CqlBodyWriter.Varchar), new("data_center", CqlBodyWriter.Varchar),
            new("rack", CqlBodyWriter.Varchar), new("release_version", CqlBodyWriter.Varchar), new("partitioner", CqlBodyWriter.Varchar),
            new("host_id", CqlBodyWriter.Uuid), new("rpc_address", CqlBodyWriter.Inet), new("tokens", CqlBodyWriter.Set),
        ];
        w.Int32(0x0002).RowsMetadata("system", "local", columns).Int32(1);
        foreach (var text in new[] { "local", "Responder Cluster", "datacenter1", "rack1", "4.0.11", "org.apache.cassandra.dht.Murmur3Partitioner" })
        {
            w.Bytes(Encoding.UTF8.GetBytes(text));
        }

        w.Bytes(Guid.Parse("2f5c1a6e-8d0b-4c55-9a43-1e7d3b0f6a21").ToByteArray(bigEndian: true));
        w.Bytes([127, 0, 0, 1]);
        // A set<varchar> value: [int n] then each element as [bytes] (v3+ collections).
        return w.Bytes(new CqlBodyWriter().Int32(1).Bytes("0"u8).Body());
    }

    /// <summary>PREPARED (v4): the id, the bound variables' metadata with partition key indexes, then the result metadata.</summary>
    private CqlBodyWriter PrepareResult(string query, CqlBodyWriter w)
    {
        string id = PreparedIdOf(query);
        lock (_prepared)
        {
            _prepared[id] = query;
        }

        int markers = query.Count(c => c == '?');
        w.Int32(0x0004).ShortBytes(Convert.FromHexString(id));
        w.Int32(0x0001).Int32(markers).Int32(markers > 0 ? 1 : 0);
        if (markers > 0)
        {
            w.Short(0);
        }

        w.String("shop").String("users");
        for (int i = 0; i < markers; i++)
        {
            // id int, then name varchar: the statements the test prepares bind in that order.
            w.String(i == 0 ? "id" : "name").Short(i == 0 ? CqlBodyWriter.Int : CqlBodyWriter.Varchar);
        }

        return query.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            ? w.RowsMetadata("shop", "users", [new("name", CqlBodyWriter.Varchar)])
            : w.Int32(0x0004).Int32(0);
    }

    /// <summary>EXECUTE: the statement's rows, with NO_METADATA when the client asked to skip it (it has the PREPARED metadata).</summary>
    private CqlBodyWriter ExecuteResult(ref Reader reader, CqlBodyWriter w)
    {
        string id = Convert.ToHexString(reader.ShortBytes());
        _ = reader.Short(); // consistency
        byte flags = reader.Byte();
        string? query;
        lock (_prepared)
        {
            query = _prepared.GetValueOrDefault(id);
        }

        if (query is null)
        {
            return w.Int32(0x2500).String("Prepared query with ID " + id + " not found").ShortBytes(Convert.FromHexString(id));
        }

        if (!query.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            return w.Int32(0x0001);
        }

        w.Int32(0x0002);
        if ((flags & 0x02) != 0)
        {
            w.Int32(0x0004).Int32(1);
        }
        else
        {
            w.RowsMetadata("shop", "users", [new("name", CqlBodyWriter.Varchar)]);
        }

        w.Int32(ExecuteRows);
        for (int i = 0; i < ExecuteRows; i++)
        {
            w.Bytes(Encoding.UTF8.GetBytes($"user-{i}"));
        }

        return w;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public byte Byte() => _data[_at++];

        public short Short()
        {
            short value = BinaryPrimitives.ReadInt16BigEndian(_data[_at..]);
            _at += 2;
            return value;
        }

        public ReadOnlySpan<byte> ShortBytes() => Take(Short());

        public ReadOnlySpan<byte> Bytes()
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(_data[_at..]);
            _at += 4;
            return length < 0 ? [] : Take(length);
        }

        public string LongString() => Encoding.UTF8.GetString(Bytes());

        private ReadOnlySpan<byte> Take(int length)
        {
            var span = _data.Slice(_at, length);
            _at += length;
            return span;
        }
    }
}

/// <summary>A request the responder read: its opcode, stream id and, for QUERY and PREPARE, its text.</summary>
internal readonly record struct CqlRequestSeen(byte Opcode, short Stream, string? Text);
