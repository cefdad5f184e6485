using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Cassandra;

/// <summary>CQL frames built from the v4 specification become the records their bytes say, however they are cut.</summary>
public sealed class CassandraParserTests
{
    private static List<CassandraRecord> Run((StreamDirection Direction, byte[] Bytes)[] deliveries, CassandraParserOptions? options = null, bool multiSegment = false)
    {
        var driver = CqlWire.Driver(options, multiSegment);
        for (int i = 0; i < deliveries.Length; i++)
        {
            driver.Feed(deliveries[i].Direction, deliveries[i].Bytes, RecordingParseContext.Epoch.AddMilliseconds(i * 10));
        }

        Assert.Equal(0, driver.InvalidCount);
        return driver.CqlRecords();
    }

    [Fact]
    public void The_hand_written_OPTIONS_vector_matches_the_builder()
    {
        Assert.Equal(CqlWire.OptionsV4, new CqlWire().Request(0, CassandraOpcode.Options));
    }

    [Fact]
    public void A_driver_session_becomes_one_record_per_exchange()
    {
        var records = Run(CqlWire.Session());
        Assert.Equal(
            ["OPTIONS SUPPORTED", "STARTUP READY", "QUERY 3 rows", "QUERY SetKeyspace", "PREPARE Prepared", "EXECUTE 1 rows", "BATCH Void", "QUERY Syntax_error", "QUERY SchemaChange", "REGISTER READY", "EVENT "],
            records.Select(r => $"{r.Operation} {r.Outcome}"));
        var select = records.Single(r => r.StreamId == 2);
        Assert.Equal("SELECT name, age, tags, scores, address FROM users", select.Query);
        Assert.Equal(CassandraConsistency.LocalOne, select.Consistency);
        Assert.Equal((CassandraResultKind.Rows, 3), (select.ResultKind!.Value, select.RowCount!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(10), select.Latency);
        Assert.Equal(ConnectionRole.Client, select.Role);
        Assert.Equal("ks", records.Single(r => r.StreamId == 1).ResultDetail);

        var execute = records.Single(r => r.Opcode == CassandraOpcode.Execute);
        Assert.Equal("SELECT * FROM users WHERE name = ?", execute.Query);
        Assert.Equal("CAFEBABE01020304", execute.PreparedId);
        Assert.Equal(CassandraConsistency.Quorum, execute.Consistency);

        var batch = records.Single(r => r.Opcode == CassandraOpcode.Batch);
        Assert.Equal(2, batch.BatchSize);
        Assert.Equal("INSERT INTO ks.users (name) VALUES (?); SELECT * FROM users WHERE name = ?", batch.Query);

        var error = records.Single(r => r.StreamId == 6);
        Assert.True(error.IsError);
        Assert.Equal((0x2000, "line 1:0 no viable alternative at input 'SELEC'"), (error.ErrorCode!.Value, error.ErrorMessage));
        Assert.Equal("CREATED TABLE ks", records.Single(r => r.StreamId == 7).ResultDetail);
        Assert.Equal("TOPOLOGY_CHANGE,SCHEMA_CHANGE", records.Single(r => r.Opcode == CassandraOpcode.Register).Query);
        var pushed = records.Single(r => r.Opcode == CassandraOpcode.Event);
        Assert.Equal("STATUS_CHANGE", pushed.Query);
        Assert.Null(pushed.ResponseTime);
        Assert.All(records, r => Assert.False(r.DataLost));
    }

    [Fact]
    public void Every_split_point_one_byte_at_a_time_and_multi_segment_give_the_same_records()
    {
        var session = CqlWire.Session();
        string expected = string.Join("\n", Run(session).Select(CqlWire.Describe));
        Assert.Equal(expected, string.Join("\n", Run(session, multiSegment: true).Select(CqlWire.Describe)));
        for (int delivery = 0; delivery < session.Length; delivery++)
        {
            for (int at = 0; at <= session[delivery].Bytes.Length; at++)
            {
                var driver = CqlWire.Driver();
                for (int i = 0; i < session.Length; i++)
                {
                    var time = RecordingParseContext.Epoch.AddMilliseconds(i * 10);
                    if (i == delivery)
                    {
                        driver.Feed(session[i].Direction, session[i].Bytes.AsSpan(0, at), time);
                        driver.Feed(session[i].Direction, session[i].Bytes.AsSpan(at));
                    }
                    else
                    {
                        driver.Feed(session[i].Direction, session[i].Bytes, time);
                    }
                }

                string actual = string.Join("\n", driver.CqlRecords().Select(CqlWire.Describe));
                Assert.True(expected == actual, $"delivery {delivery} split at {at}\nexpected {expected}\nactual   {actual}");
            }
        }

        var byteByByte = CqlWire.Driver(multiSegment: true);
        for (int i = 0; i < session.Length; i++)
        {
            for (int b = 0; b < session[i].Bytes.Length; b++)
            {
                byteByByte.Feed(session[i].Direction, session[i].Bytes.AsSpan(b, 1), b == 0 ? RecordingParseContext.Epoch.AddMilliseconds(i * 10) : null);
            }
        }

        Assert.Equal(expected, string.Join("\n", byteByByte.CqlRecords().Select(CqlWire.Describe)));
    }

    [Fact]
    public void Credentials_in_AUTH_RESPONSE_never_reach_a_record()
    {
        const string password = "Cassandra-S3cret-Pw";
        var records = Run(
        [
            (StreamDirection.Egress, CqlWire.Startup(0)),
            (StreamDirection.Ingress, CqlWire.Authenticate(0)),
            (StreamDirection.Egress, CqlWire.AuthResponse(1, "cassandra", password)),
            (StreamDirection.Ingress, CqlWire.AuthSuccess(1)),
        ]);
        Assert.Equal(["STARTUP AUTHENTICATE", "AUTH_RESPONSE AUTHSUCCESS"], records.Select(r => $"{r.Operation} {r.Outcome}"));
        Assert.Equal("org.apache.cassandra.auth.PasswordAuthenticator", records[0].ResultDetail);
        Assert.Equal(CassandraParserOptions.RedactedValue, records[1].Query);
        foreach (var record in records)
        {
            Assert.DoesNotContain(password, CqlWire.Describe(record), StringComparison.Ordinal);
            Assert.DoesNotContain("cassandra\0", record.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rows_past_the_head_limit_are_skipped_and_a_gap_in_them_is_absorbed()
    {
        var driver = CqlWire.Driver(new CassandraParserOptions { MaxFrameHeadBytes = 200 });
        driver.Feed(StreamDirection.Egress, CqlWire.Query(2, "SELECT * FROM users"));
        var rows = CqlWire.Rows(2, 200);
        driver.Feed(StreamDirection.Ingress, rows.AsSpan(0, 300));
        driver.Gap(StreamDirection.Ingress, 500);
        driver.Feed(StreamDirection.Ingress, rows.AsSpan(800));
        driver.Feed(StreamDirection.Egress, CqlWire.Query(3, "SELECT 1"));
        driver.Feed(StreamDirection.Ingress, CqlWire.Void(3));
        var records = driver.CqlRecords();
        Assert.Equal(0, driver.InvalidCount);
        Assert.Equal([200, (int?)null], records.Select(r => r.RowCount));
        Assert.Equal(rows.Length, records[0].ResponseSize);
    }

    [Fact]
    public void A_gap_in_a_header_loses_the_exchange_and_resyncs_at_an_awaited_response()
    {
        var driver = CqlWire.Driver();
        driver.Feed(StreamDirection.Egress, [.. CqlWire.Query(1, "SELECT a"), .. CqlWire.Query(2, "SELECT b")]);
        var first = CqlWire.Rows(1, 2);
        driver.Feed(StreamDirection.Ingress, first.AsSpan(0, 5));
        driver.Gap(StreamDirection.Ingress, first.Length - 5);
        driver.Feed(StreamDirection.Ingress, CqlWire.Rows(2, 4));
        driver.Complete();
        var records = driver.CqlRecords();
        var second = records.Single(r => r.StreamId == 2);
        Assert.Equal(4, second.RowCount);
        var lost = records.Single(r => r.StreamId == 1);
        Assert.Null(lost.ResponseTime);
        Assert.True(lost.DataLost);
    }

    [Fact]
    public void Joining_mid_stream_drops_answers_to_unseen_requests_and_pairs_the_rest()
    {
        var driver = CqlWire.Driver();
        driver.Feed(StreamDirection.Ingress, CqlWire.Rows(9, 2));
        driver.Feed(StreamDirection.Egress, CqlWire.Execute(10, CqlWire.StatementId));
        driver.Feed(StreamDirection.Ingress, CqlWire.Rows(10, 1));
        var record = Assert.Single(driver.CqlRecords());
        Assert.Equal((CassandraOpcode.Execute, 1, "CAFEBABE01020304"), (record.Opcode, record.RowCount!.Value, record.PreparedId));
        Assert.Null(record.Query);
    }

    [Fact]
    public void Protocol_v5_stops_where_segment_framing_begins()
    {
        var driver = CqlWire.Driver();
        driver.Feed(StreamDirection.Egress, new CqlWire().Short(1).String("CQL_VERSION").String("3.0.0").Frame(0x05, 0, CassandraOpcode.Startup));
        driver.Feed(StreamDirection.Ingress, new CqlWire().Frame(0x85, 0, CassandraOpcode.Ready));
        Assert.True(driver.Stopped);
        Assert.Equal(5, Assert.Single(driver.CqlRecords()).ProtocolVersion);
    }

    [Fact]
    public void Prepared_statements_are_bounded()
    {
        var driver = CqlWire.Driver(new CassandraParserOptions { MaxPreparedStatements = 1 });
        driver.Feed(StreamDirection.Egress, [.. CqlWire.Prepare(1, "SELECT a"), .. CqlWire.Prepare(2, "SELECT b")]);
        driver.Feed(StreamDirection.Ingress, [.. CqlWire.Prepared(1, [1]), .. CqlWire.Prepared(2, [2])]);
        driver.Feed(StreamDirection.Egress, [.. CqlWire.Execute(3, [1]), .. CqlWire.Execute(4, [2])]);
        driver.Feed(StreamDirection.Ingress, [.. CqlWire.Void(3), .. CqlWire.Void(4)]);
        var executes = driver.CqlRecords().Where(r => r.Opcode == CassandraOpcode.Execute).ToList();
        Assert.Equal([null, "SELECT b"], executes.Select(r => r.Query));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Seeded_garbage_never_throws_and_stays_bounded(int seed)
    {
        var random = new Random(seed);
        var driver = CqlWire.Driver();
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                bytes[0] = (byte)(i % 2 == 0 ? 0x04 : 0x84);
            }

            driver.Feed(i % 2 == 0 ? StreamDirection.Egress : StreamDirection.Ingress, bytes);
        }

        driver.Complete();
        Assert.True(driver.Buffered(StreamDirection.Ingress) <= 64 * 1024 + 9);
    }

    [Fact]
    public void Every_truncation_of_every_frame_decodes_without_throwing()
    {
        foreach (var (direction, bytes) in CqlWire.Session())
        {
            for (int cut = 9; cut < bytes.Length; cut++)
            {
                var shortened = bytes[..cut];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(shortened.AsSpan(5), cut - 9);
                var driver = CqlWire.Driver();
                driver.Feed(StreamDirection.Egress, CqlWire.Session().Where(d => d.Direction == StreamDirection.Egress).SelectMany(d => d.Bytes).ToArray());
                driver.Feed(direction, shortened);
                driver.Complete();
            }
        }
    }

    [Theory]
    [InlineData("040000000500000000", true)]
    [InlineData("840000000600000000", true)]
    [InlineData("040000000600000000", false)]
    [InlineData("020000000500000000", false)]
    [InlineData("474554202f20485454", false)]
    public void Inference_accepts_plausible_frame_headers(string hex, bool cql)
    {
        Assert.Equal(cql, new CassandraParser().Infer(Convert.FromHexString(hex), StreamDirection.Egress) >= 50);
    }
}
