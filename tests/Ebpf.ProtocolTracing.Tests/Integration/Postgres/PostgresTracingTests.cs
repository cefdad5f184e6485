using System.Globalization;
using Ebpf.ProtocolTracing.Postgres;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Npgsql;

namespace Ebpf.ProtocolTracing.Tests.Integration.Postgres;

/// <summary>A real PostgreSQL server with psql and Npgsql as clients, traced from the kernel.</summary>
[Collection("Kernel")]
public sealed class PostgresTracingTests
{
    [KernelFact]
    public async Task Psql_queries_yield_client_and_server_records()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var psql = await ProcessRun.RunAsync(
            "psql",
            ["-X", "-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
             "-c", "select generate_series(1, 3) as n", "-c", "select * from no_such_table"],
            TestTimeouts.Process);
        Assert.Contains("(3 rows)", psql.StandardOutput, StringComparison.Ordinal);

        bool OfPsql(PostgresRecord r) => r.Pid == psql.Pid && r.RemoteEndPoint?.Port == server.Port;
        var client = await session.WaitForAsync<PostgresRecord>(r => OfPsql(r) && r.Command == PostgresCommand.Query, 2, "psql's queries");
        var server2 = await session.WaitForAsync<PostgresRecord>(r => r.LocalEndPoint?.Port == server.Port && r.Command == PostgresCommand.Query, 2, "the backend's queries");

        foreach (var records in new[] { client, server2 })
        {
            var select = records.Single(r => r.Statement == "select generate_series(1, 3) as n");
            Assert.Equal("SELECT 3", select.CommandTag);
            Assert.Equal(3, select.RowsReturned);
            Assert.False(select.IsError);
            Assert.True(select.Latency > TimeSpan.Zero, $"latency {select.Latency}");

            var failed = records.Single(r => r.Statement == "select * from no_such_table");
            Assert.True(failed.IsError);
            Assert.Equal("42P01", failed.Error!.SqlState);
            Assert.Equal("ERROR", failed.Error.Severity);
            Assert.Contains("no_such_table", failed.Error.Message, StringComparison.Ordinal);
        }

        Assert.All(client, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(server2, r => Assert.Equal(ConnectionRole.Server, r.Role));

        var startup = (await session.WaitForAsync<PostgresRecord>(r => OfPsql(r) && r.Command == PostgresCommand.Startup, what: "psql's startup"))[0];
        Assert.Equal("postgres", startup.User);
        Assert.Equal("postgres", startup.Database);
        Assert.Equal("psql", startup.ApplicationName);
        Assert.Equal("3.0", startup.ProtocolVersion);
        Assert.Equal("Ok", startup.AuthenticationMethod);
        Assert.NotNull(startup.ServerVersion);
    }

    [KernelFact]
    public async Task Npgsql_prepared_statements_and_batches_yield_one_record_per_execute_with_parameters()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions
        {
            TraceOwnProcess = true,
            ProcessIds = { Environment.ProcessId },
        });

        await using (var connection = new NpgsqlConnection(server.PasswordConnectionString + ";Application Name=tracer-tests"))
        {
            await connection.OpenAsync();
            await using (var prepared = new NpgsqlCommand("select $1::int + 1, $2::text", connection))
            {
                prepared.Parameters.AddWithValue(0);
                prepared.Parameters.AddWithValue("");
                await prepared.PrepareAsync();
                for (int i = 1; i <= 3; i++)
                {
                    prepared.Parameters[0].Value = i * 10;
                    prepared.Parameters[1].Value = "run" + i;
                    Assert.Equal(i * 10 + 1, await prepared.ExecuteScalarAsync());
                }
            }

            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("select $1::bigint") { Parameters = { new() { Value = 7L } } },
                    new NpgsqlBatchCommand("select $1::uuid") { Parameters = { new() { Value = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e") } } },
                    new NpgsqlBatchCommand("select $1::boolean") { Parameters = { new() { Value = true } } },
                },
            };
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                while (await reader.NextResultAsync() || await reader.ReadAsync())
                {
                }
            }
        }

        bool Mine(PostgresRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == server.Port;
        var runs = await session.WaitForAsync<PostgresRecord>(r => Mine(r) && r.Command == PostgresCommand.Execute && r.Statement == "select $1::int + 1, $2::text", 3, "the prepared statement's executions");
        Assert.Equal(3, runs.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([((i + 1) * 10).ToString(CultureInfo.InvariantCulture), "run" + (i + 1)], runs[i].Parameters);
            Assert.Equal("SELECT 1", runs[i].CommandTag);
            Assert.Equal(1, runs[i].RowsReturned);
            Assert.Equal(ConnectionRole.Client, runs[i].Role);
            Assert.True(runs[i].Latency > TimeSpan.Zero, $"latency {runs[i].Latency}");
        }

        var batchRecords = await session.WaitForAsync<PostgresRecord>(r => Mine(r) && r.Command == PostgresCommand.Execute && r.Statement is "select $1::bigint" or "select $1::uuid" or "select $1::boolean", 3, "the batch");
        Assert.Equal(["select $1::bigint", "select $1::uuid", "select $1::boolean"], batchRecords.Select(r => r.Statement));
        Assert.Equal(["7", "0f8fad5b-d9cb-469f-a165-70867728950e", "true"], batchRecords.Select(r => Assert.Single(r.Parameters)));
        Assert.All(batchRecords, r => Assert.Equal("SELECT 1", r.CommandTag));

        var startup = (await session.WaitForAsync<PostgresRecord>(r => Mine(r) && r.Command == PostgresCommand.Startup, what: "the startup"))[0];
        Assert.Equal(PostgresServer.PasswordUser, startup.User);
        Assert.Equal("tracer-tests", startup.ApplicationName);
        Assert.Equal("SASL SCRAM-SHA-256", startup.AuthenticationMethod);
        Assert.Equal(PostgresParserOptions.RedactedValue, startup.Credential);

        // The password never shows, in any record of this connection.
        foreach (var record in session.Snapshot().OfType<PostgresRecord>().Where(Mine))
        {
            Assert.DoesNotContain(PostgresServer.Password, record.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresServer.Password, record.Credential ?? "", StringComparison.Ordinal);
        }
    }

    [KernelFact]
    public async Task A_connection_opened_before_tracing_yields_correct_records_for_later_queries()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var connection = new NpgsqlConnection(server.TrustedConnectionString);
        await connection.OpenAsync();
        await using (var before = new NpgsqlCommand("select 1", connection))
        {
            await before.ExecuteScalarAsync();
        }

        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions
        {
            TraceOwnProcess = true,
            ProcessIds = { Environment.ProcessId },
        });

        for (int i = 0; i < 3; i++)
        {
            await using var later = new NpgsqlCommand("select $1::int * 2", connection) { Parameters = { new() { Value = 21 + i } } };
            Assert.Equal((21 + i) * 2, await later.ExecuteScalarAsync());
        }

        // The first query after the join may be cut by where tracing started; the last one is whole.
        var records = await session.WaitForAsync<PostgresRecord>(
            r => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == server.Port && r.Parameters is ["23"], 1, "the last query after the join");
        var last = Assert.Single(records);
        Assert.Equal("select $1::int * 2", last.Statement);
        Assert.Equal(PostgresCommand.Execute, last.Command);
        Assert.Equal("SELECT 1", last.CommandTag);
        Assert.Equal(1, last.RowsReturned);
        Assert.Equal(ConnectionRole.Client, last.Role);
        Assert.True(last.Latency > TimeSpan.Zero, $"latency {last.Latency}");
    }
}
