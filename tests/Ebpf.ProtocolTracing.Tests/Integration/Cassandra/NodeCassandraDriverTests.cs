using System.Globalization;
using System.Text.Json;
using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Cassandra;

/// <summary>
/// The DataStax Node.js driver (cassandra-driver, a child process) against <see cref="CqlServerResponder"/>.
/// No Cassandra server can be installed on this machine, so the server side is a responder built from the
/// public native protocol spec; the client is real: its version negotiation, OPTIONS, STARTUP and SASL
/// login with PlainTextAuthProvider, system.local/system.peers discovery, REGISTER, USE, PREPARE/EXECUTE,
/// BATCH and failing query are the driver's own bytes, traced from the kernel on both ends.
/// </summary>
[Collection("Kernel")]
public sealed class NodeCassandraDriverTests
{
    private const string User = "cql_app";
    private const string Password = "Cql-S3cret-pw";
    private const string WrongPassword = "Not-the-cql-pw";
    private const string Select = "SELECT name FROM shop.users WHERE id = ?";
    private const string Insert = "INSERT INTO shop.users (id, name) VALUES (?, ?)";
    private const string PlainQuery = "SELECT name FROM shop.users WHERE id = 7";
    private const string FailingQuery = "SELECT * FROM shop." + CqlServerResponder.MissingTable;

    /// <summary>Connects with the right password and runs each kind of request; then fails to log in with a wrong one.</summary>
    private const string Script = """
        const [driverDir, port, user, password, wrongPassword, plain, select, insert, failing] = process.argv.slice(1);
        const cassandra = require(driverDir);
        const options = pw => ({
          contactPoints: ['127.0.0.1:' + port], localDataCenter: 'datacenter1', keyspace: 'shop',
          authProvider: new cassandra.auth.PlainTextAuthProvider(user, pw),
          pooling: { heartBeatInterval: 0 },
        });
        (async () => {
          const out = {};
          const client = new cassandra.Client(options(password));
          await client.connect();
          out.plainRows = (await client.execute(plain)).rows.length;
          const rows = (await client.execute(select, [42], { prepare: true })).rows;
          out.preparedRows = rows.length;
          out.firstName = rows[0].name;
          try { await client.execute(failing); } catch (e) { out.errorCode = e.code; }
          await client.batch([{ query: insert, params: [1, 'ada'] }, { query: insert, params: [2, 'grace'] }], { prepare: true });
          out.batch = true;
          await client.shutdown();
          const intruder = new cassandra.Client(options(wrongPassword));
          try { await intruder.connect(); } catch (e) { out.wrongLogin = e.name; }
          await intruder.shutdown();
          console.log(JSON.stringify(out));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    /// <summary>Connects, prepares and runs a statement, says "ready", waits for a line on stdin, then runs it again and a plain query.</summary>
    private const string JoinScript = """
        const [driverDir, port, user, password, plain, select] = process.argv.slice(1);
        const cassandra = require(driverDir);
        const readline = require('readline');
        (async () => {
          const client = new cassandra.Client({
            contactPoints: ['127.0.0.1:' + port], localDataCenter: 'datacenter1',
            authProvider: new cassandra.auth.PlainTextAuthProvider(user, password), pooling: { heartBeatInterval: 0 },
          });
          await client.connect();
          await client.execute(select, [1], { prepare: true });
          console.log('ready');
          for await (const line of readline.createInterface({ input: process.stdin })) { break; }
          const rows = (await client.execute(select, [2], { prepare: true })).rows.length;
          await client.execute(plain);
          await client.shutdown();
          console.log('done ' + rows);
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    [KernelFact]
    public async Task Tracing_started_on_a_driver_connection_in_use_decodes_the_later_execute_and_query()
    {
        await using var server = CqlServerResponder.Start(User, Password);
        using var node = await NodeCassandraDriver.StartAsync(JoinScript, server.Port.ToString(CultureInfo.InvariantCulture), User, Password, PlainQuery, Select);
        try
        {
            Assert.Equal("ready", await NodeCassandraDriver.ReadLineAsync(node));
            var options = new ProtocolTracingOptions { TraceOwnProcess = true };
            await using var session = await TracingSession.StartAsync(options, [new CassandraParser()]);
            await node.StandardInput.WriteLineAsync("go");
            await node.StandardInput.FlushAsync();
            Assert.Equal("done " + CqlServerResponder.ExecuteRows, await NodeCassandraDriver.ReadLineAsync(node));

            bool Sent(CassandraRecord r) => r.Pid == node.Id && r.RemoteEndPoint?.Port == server.Port;
            await session.WaitForAsync<CassandraRecord>(r => Sent(r) && r.Query == PlainQuery, 1, "the plain query after the join");
            var sent = session.Snapshot().OfType<CassandraRecord>().Where(Sent).ToList();
            // Prepared before tracing began: the id is known, its text is not.
            var execute = Assert.Single(sent, r => r.Opcode == CassandraOpcode.Execute);
            Assert.Equal((CqlServerResponder.PreparedIdOf(Select), (string?)null, CqlServerResponder.ExecuteRows), (execute.PreparedId, execute.Query, execute.RowCount!.Value));
            Assert.DoesNotContain(sent, r => r.Opcode is CassandraOpcode.Startup or CassandraOpcode.AuthResponse or CassandraOpcode.Prepare);
            Assert.All(sent, r => Assert.Equal((ConnectionRole.Client, 4), (r.Role, r.ProtocolVersion)));
            Assert.All(sent, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}: {r}"));
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    [KernelFact]
    public async Task Driver_login_discovery_prepare_execute_batch_and_error_are_traced_on_both_ends_without_the_password()
    {
        await NodeCassandraDriver.InstallAsync();
        await using var server = CqlServerResponder.Start(User, Password);
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        await using var session = await TracingSession.StartAsync(options, [new CassandraParser()]);

        var run = await NodeCassandraDriver.RunAsync(Script, server.Port.ToString(CultureInfo.InvariantCulture), User, Password, WrongPassword, PlainQuery, Select, Insert, FailingQuery);
        Assert.True(run.ExitCode == 0, $"the node client failed ({run.ExitCode}): {run.StandardError}");
        using (var result = JsonDocument.Parse(run.StandardOutput))
        {
            var root = result.RootElement;
            Assert.Equal(CqlServerResponder.ExecuteRows, root.GetProperty("preparedRows").GetInt32());
            Assert.Equal("user-0", root.GetProperty("firstName").GetString());
            Assert.Equal(0x2200, root.GetProperty("errorCode").GetInt32());
            Assert.True(root.GetProperty("batch").GetBoolean());
            Assert.Equal("NoHostAvailableError", root.GetProperty("wrongLogin").GetString());
        }

        bool Sent(CassandraRecord r) => r.Pid == run.Pid && r.RemoteEndPoint?.Port == server.Port;
        bool Served(CassandraRecord r) => r.Pid == Environment.ProcessId && r.LocalEndPoint?.Port == server.Port;
        string preparedId = CqlServerResponder.PreparedIdOf(Select);

        // The last exchange the driver makes is the wrong login: once it is in, the earlier ones are too.
        await session.WaitForAsync<CassandraRecord>(r => Sent(r) && r.Opcode == CassandraOpcode.AuthResponse && r.ErrorCode == 0x0100, 1, "the refused login");
        await session.WaitForAsync<CassandraRecord>(r => Served(r) && r.Opcode == CassandraOpcode.AuthResponse && r.ErrorCode == 0x0100, 1, "the refused login, served");
        var sent = session.Snapshot().OfType<CassandraRecord>().Where(Sent).ToList();
        var served = session.Snapshot().OfType<CassandraRecord>().Where(Served).ToList();
        string all = string.Join("\n  ", sent.Concat(served));

        Assert.Contains(sent, r => r.Opcode == CassandraOpcode.Options && r.ResponseOpcode == CassandraOpcode.Supported);
        Assert.Contains(sent, r => r.Opcode == CassandraOpcode.Startup && r.ResponseOpcode == CassandraOpcode.Authenticate
            && r.ResultDetail == "org.apache.cassandra.auth.PasswordAuthenticator");
        var login = sent.First(r => r.Opcode == CassandraOpcode.AuthResponse && r.ResponseOpcode == CassandraOpcode.AuthSuccess && r.Query == CassandraParserOptions.RedactedValue);
        Assert.Equal("Bad_credentials", Assert.Single(sent, r => r.Opcode == CassandraOpcode.AuthResponse && r.IsError).ErrorName);

        var local = sent.First(r => r.Query == "SELECT * FROM system.local WHERE key='local'");
        Assert.Equal((CassandraResultKind.Rows, 1), (local.ResultKind!.Value, local.RowCount!.Value));
        Assert.Equal(0, Assert.Single(sent, r => r.Query == "SELECT * FROM system.peers").RowCount);
        Assert.Contains(sent, r => r.Opcode == CassandraOpcode.Query && r.ResultKind == CassandraResultKind.SetKeyspace && r.ResultDetail == "shop");
        Assert.Contains(sent, r => r.Opcode == CassandraOpcode.Register && r.ResponseOpcode == CassandraOpcode.Ready && r.Query!.Contains("SCHEMA_CHANGE", StringComparison.Ordinal));
        Assert.Equal(0, Assert.Single(sent, r => r.Query == PlainQuery).RowCount);

        var prepare = Assert.Single(sent, r => r.Opcode == CassandraOpcode.Prepare && r.Query == Select);
        Assert.Equal((CassandraResultKind.Prepared, preparedId), (prepare.ResultKind!.Value, prepare.PreparedId));
        var execute = Assert.Single(sent, r => r.Opcode == CassandraOpcode.Execute);
        Assert.Equal((preparedId, Select, CqlServerResponder.ExecuteRows), (execute.PreparedId, execute.Query, execute.RowCount!.Value));
        var failed = Assert.Single(sent, r => r.Query == FailingQuery);
        Assert.Equal((0x2200, "Invalid", true), (failed.ErrorCode!.Value, failed.ErrorName, failed.IsError));
        Assert.Contains(CqlServerResponder.MissingTable, failed.ErrorMessage, StringComparison.Ordinal);
        var batch = Assert.Single(sent, r => r.Opcode == CassandraOpcode.Batch);
        Assert.Equal((2, Insert + "; " + Insert, CassandraResultKind.Void), (batch.BatchSize!.Value, batch.Query, batch.ResultKind!.Value));

        foreach (var record in new[] { login, local, prepare, execute, failed, batch })
        {
            Assert.Equal((ConnectionRole.Client, 4, false), (record.Role, record.ProtocolVersion, record.DataLost));
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}: {record}");
        }

        // Stream ids: each traced QUERY and PREPARE came on the stream the server read it from.
        var seen = server.Seen;
        Assert.All(sent.Where(r => r.Opcode is CassandraOpcode.Query or CassandraOpcode.Prepare), r =>
            Assert.Contains(new CqlRequestSeen((byte)r.Opcode, r.StreamId, r.Query), seen));

        // The responder's end of the same connections, as a server.
        var servedExecute = Assert.Single(served, r => r.Opcode == CassandraOpcode.Execute);
        Assert.Equal((ConnectionRole.Server, preparedId, Select, CqlServerResponder.ExecuteRows, execute.StreamId),
            (servedExecute.Role, servedExecute.PreparedId, servedExecute.Query, servedExecute.RowCount!.Value, servedExecute.StreamId));
        Assert.Equal("Invalid", Assert.Single(served, r => r.Query == FailingQuery).ErrorName);
        Assert.Equal(CassandraResultKind.Void, Assert.Single(served, r => r.Opcode == CassandraOpcode.Batch).ResultKind);
        Assert.All(served, r => Assert.Equal(ConnectionRole.Server, r.Role));

        foreach (var record in sent.Concat(served))
        {
            Assert.DoesNotContain(Password, record.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(WrongPassword, record.ToString(), StringComparison.Ordinal);
            foreach (var text in new[] { record.Query, record.ErrorMessage, record.ResultDetail })
            {
                Assert.False(text?.Contains("S3cret", StringComparison.Ordinal) == true || text?.Contains(WrongPassword, StringComparison.Ordinal) == true, all);
            }
        }
    }
}
