using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using MySqlConnector;
using DbCommand = MySqlConnector.MySqlCommand;
using Kind = Ebpf.ProtocolTracing.MySql.MySqlCommand;

namespace Ebpf.ProtocolTracing.Tests.Integration.MySql;

/// <summary>A real MariaDB server and real clients (the mariadb CLI, MySqlConnector in-process), traced from the kernel.</summary>
[Collection("Kernel")]
public sealed class MariaDbTests
{
    [KernelFact]
    public async Task Cli_client_and_server_both_yield_the_login_queries_and_error()
    {
        await using var server = await MariaDbServer.StartAsync();
        await using var session = await TracingSession.StartAsync(new ProtocolTracingOptions());

        var cli = await ProcessRun.RunAsync("mariadb",
        [
            "--no-defaults", "--skip-ssl", "--force", "-h127.0.0.1", $"-P{server.Port}", $"-u{MariaDbServer.User}", $"-p{MariaDbServer.Password}",
            MariaDbServer.Database, "-e", "SELECT name FROM items ORDER BY id; INSERT INTO items (name) VALUES ('fig'); SELECT * FROM missing_table",
        ], TestTimeouts.Process);
        Assert.Contains("pear", cli.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("1146", cli.StandardError, StringComparison.Ordinal);

        bool FromCli(MySqlRecord r) => r.Pid == cli.Pid && r.RemoteEndPoint?.Port == server.Port;
        // The failing SELECT is the CLI's last exchange: once its record is out, the earlier ones are too.
        await session.WaitForAsync<MySqlRecord>(r => FromCli(r) && r.Statement == "SELECT * FROM missing_table", what: "the CLI's last query");
        var records = session.Snapshot().OfType<MySqlRecord>().Where(FromCli).ToList();

        var connect = Assert.Single(records, r => r.Command == Kind.Connect);
        Assert.Equal((MariaDbServer.User, MariaDbServer.Database, ConnectionRole.Client), (connect.User, connect.Database, connect.Role));
        Assert.Contains("MariaDB", connect.ServerVersion, StringComparison.Ordinal);
        Assert.Null(connect.Error);

        var select = Assert.Single(records, r => r.Statement == "SELECT name FROM items ORDER BY id");
        Assert.Equal((3L, 1), (select.RowsReturned!.Value, select.ColumnCount!.Value));
        Assert.True(select.Latency > TimeSpan.Zero, $"latency {select.Latency}");
        Assert.Equal("mariadb", select.ProcessName);

        var missing = Assert.Single(records, r => r.Statement == "SELECT * FROM missing_table");
        Assert.Equal((1146, "42S02"), (missing.Error!.Code, missing.Error.SqlState));

        var insert = Assert.Single(records, r => r.Command == Kind.Query && r.Statement!.StartsWith("INSERT", StringComparison.Ordinal));
        Assert.Equal((1L, 4L), (insert.AffectedRows!.Value, insert.LastInsertId!.Value));
        Assert.All(records, r => Assert.False(r.DataLost, r.ToString()));

        // The server's end of the same connection.
        var served = await session.WaitForAsync<MySqlRecord>(r => r.Pid == server.Pid && r.LocalEndPoint?.Port == server.Port && r.Statement == "SELECT name FROM items ORDER BY id", what: "mariadbd's side");
        Assert.Equal((ConnectionRole.Server, 3L), (served[0].Role, served[0].RowsReturned!.Value));
        Assert.Equal(select.LocalEndPoint?.Port, served[0].RemoteEndPoint?.Port);

        AssertNoSecret(session);
    }

    [KernelFact]
    public async Task MySqlConnector_in_process_prepared_statements_show_text_and_parameters()
    {
        await using var server = await MariaDbServer.StartAsync();
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        await using (var connection = new MySqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using (var text = new DbCommand("SELECT id, name FROM items WHERE price > 1 ORDER BY id", connection))
            {
                await using var reader = await text.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }

            await using (var insert = new DbCommand("INSERT INTO items (name, price, added) VALUES (@name, @price, @added)", connection))
            {
                insert.Parameters.AddWithValue("@name", "quince");
                insert.Parameters.AddWithValue("@price", 3.75);
                insert.Parameters.AddWithValue("@added", new DateTime(2026, 1, 2, 3, 4, 5));
                await insert.PrepareAsync();
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }

            await using (var select = new DbCommand("SELECT name FROM items WHERE id >= @id AND name <> @skip", connection))
            {
                select.Parameters.AddWithValue("@id", 2);
                select.Parameters.AddWithValue("@skip", DBNull.Value);
                await select.PrepareAsync();
                await using var reader = await select.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }
        }

        bool Ours(MySqlRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == server.Port;
        var executes = await session.WaitForAsync<MySqlRecord>(r => Ours(r) && r.Command == Kind.Execute, count: 2, what: "both executes");
        var records = session.Snapshot().OfType<MySqlRecord>().Where(Ours).ToList();

        var connect = Assert.Single(records, r => r.Command == Kind.Connect);
        Assert.Equal((MariaDbServer.User, MariaDbServer.Database, ConnectionRole.Client), (connect.User, connect.Database, connect.Role));
        Assert.True(connect.Latency > TimeSpan.Zero);

        var query = Assert.Single(records, r => r.Statement == "SELECT id, name FROM items WHERE price > 1 ORDER BY id");
        Assert.Equal((2L, 2), (query.RowsReturned!.Value, query.ColumnCount!.Value));

        var inserted = executes[0];
        Assert.Equal("INSERT INTO items (name, price, added) VALUES (?, ?, ?)", inserted.Statement);
        Assert.Equal(["'quince'", "3.75", "'2026-01-02 03:04:05'"], inserted.Parameters.Select(p => p.ToString()));
        Assert.Equal((1L, 4L), (inserted.AffectedRows!.Value, inserted.LastInsertId!.Value));
        var prepare = Assert.Single(records, r => r.Command == Kind.Prepare && r.StatementId == inserted.StatementId);
        Assert.Equal(3, prepare.ParameterCount);

        var selected = executes[1];
        Assert.Equal("SELECT name FROM items WHERE id >= ? AND name <> ?", selected.Statement);
        Assert.Equal(["2", "NULL"], selected.Parameters.Select(p => p.ToString()));
        Assert.Equal(0L, selected.RowsReturned);
        Assert.All(records, r => Assert.False(r.DataLost, r.ToString()));
        Assert.All(records, r => Assert.True(r.ResponseTime is null || r.Latency > TimeSpan.Zero, r.ToString()));

        AssertNoSecret(session);
    }

    [KernelFact]
    public async Task Tracing_started_on_an_open_connection_picks_up_the_next_commands()
    {
        await using var server = await MariaDbServer.StartAsync();
        await using var connection = new MySqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using (var before = new DbCommand("SELECT COUNT(*) FROM items", connection))
        {
            Assert.Equal(3L, Convert.ToInt64(await before.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        await using var session = await TracingSession.StartAsync(options);

        await using (var after = new DbCommand("SELECT name FROM items WHERE id <= 2", connection))
        {
            await using var reader = await after.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        }

        await using (var prepared = new DbCommand("SELECT name FROM items WHERE id = @id", connection))
        {
            prepared.Parameters.AddWithValue("@id", 3);
            await prepared.PrepareAsync();
            Assert.Equal("plum", await prepared.ExecuteScalarAsync());
        }

        bool Ours(MySqlRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == server.Port;
        var query = Assert.Single(await session.WaitForAsync<MySqlRecord>(r => Ours(r) && r.Statement == "SELECT name FROM items WHERE id <= 2", what: "the query after the join"));
        Assert.Equal((2L, false, ConnectionRole.Client), (query.RowsReturned!.Value, query.DataLost, query.Role));
        Assert.True(query.Latency > TimeSpan.Zero);

        var execute = Assert.Single(await session.WaitForAsync<MySqlRecord>(r => Ours(r) && r.Command == Kind.Execute, what: "the execute after the join"));
        Assert.Equal(("SELECT name FROM items WHERE id = ?", "3", 1L), (execute.Statement, execute.Parameters.Single().Value, execute.RowsReturned!.Value));
    }

    private static void AssertNoSecret(TracingSession session)
    {
        foreach (var record in session.Snapshot().OfType<MySqlRecord>())
        {
            Assert.DoesNotContain(MariaDbServer.Password, record.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(MariaDbServer.Password, record.Statement ?? "", StringComparison.Ordinal);
        }
    }
}
