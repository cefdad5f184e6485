using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>Gaps, garbage, truncation and joining a connection in the middle: no throw, bounded state, the right records after.</summary>
public sealed class KafkaParserRobustnessTests
{
    [Fact]
    public void A_gap_inside_record_data_is_absorbed()
    {
        var driver = KafkaSamples.Driver(new KafkaParserOptions { MaxMessageHeadBytes = 120 });
        var request = KafkaWire.Request(0, 7, 3, "producer-1", flexible: false)
            .String(null, false).Int16(-1).Int32(30_000)
            .Array(1, false).String("orders", false)
            .Array(1, false).Int32(1).Bytes(KafkaWire.RecordBatch(5, 3, payload: 400), false)
            .Message();
        driver.Feed(StreamDirection.Egress, request.AsSpan(0, 124));
        driver.Gap(StreamDirection.Egress, 10);
        driver.Feed(StreamDirection.Egress, request.AsSpan(134));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.ProduceV7Response(3, "orders", 1, 0, 42));
        var record = Assert.Single(driver.Records());
        Assert.Equal(0, driver.InvalidCount);
        Assert.Equal(5, record.RecordCount);
        Assert.Equal((short)0, record.ErrorCode);
        Assert.True(record.Truncated);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void A_gap_in_record_data_of_a_message_still_arriving_is_absorbed()
    {
        var driver = KafkaSamples.Driver();
        var request = KafkaWire.Request(0, 7, 3, "producer-1", flexible: false)
            .String(null, false).Int16(-1).Int32(30_000)
            .Array(1, false).String("orders", false)
            .Array(1, false).Int32(1).Bytes(KafkaWire.RecordBatch(5, 3, payload: 400), false)
            .Message();
        driver.Feed(StreamDirection.Egress, request.AsSpan(0, 130));
        driver.Gap(StreamDirection.Egress, 50);
        driver.Feed(StreamDirection.Egress, request.AsSpan(180));
        driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Request(4, "g"));
        driver.Feed(StreamDirection.Ingress, [.. KafkaSamples.ProduceV7Response(3, "orders", 1, 0, 42), .. KafkaSamples.HeartbeatV4Response(4, 0)]);
        var records = driver.Records();
        Assert.Equal(0, driver.InvalidCount);
        Assert.Equal([KafkaApiKey.Produce, KafkaApiKey.Heartbeat], records.Select(r => r.ApiKey));
        Assert.Equal((5L, KafkaCompression.Lz4, true, "OK"), (records[0].RecordCount, records[0].Partitions[0].Compression!.Value, records[0].Truncated, records[0].Outcome));
        Assert.Equal(request.Length, records[0].RequestSize);
    }

    [Fact]
    public void A_gap_in_a_response_header_loses_that_exchange_and_resyncs_at_the_next_awaited_response()
    {
        var driver = KafkaSamples.Driver();
        driver.Feed(StreamDirection.Egress, [.. KafkaSamples.HeartbeatV4Request(10, "g"), .. KafkaSamples.HeartbeatV4Request(11, "g")]);
        var first = KafkaSamples.HeartbeatV4Response(10, 0);
        driver.Feed(StreamDirection.Ingress, first.AsSpan(0, 3));
        driver.Gap(StreamDirection.Ingress, first.Length - 3);
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Response(11, 27));
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal((10, true, (short?)null), (records[0].CorrelationId, records[0].DataLost, records[0].ErrorCode));
        Assert.Equal((11, (short?)27), (records[1].CorrelationId, records[1].ErrorCode));
    }

    [Fact]
    public void A_gap_in_the_request_stream_resyncs_at_the_next_request()
    {
        var driver = KafkaSamples.Driver();
        var lost = KafkaSamples.MetadataV12Request(2, "orders");
        driver.Feed(StreamDirection.Egress, lost.AsSpan(0, 6));
        driver.Gap(StreamDirection.Egress, 20);
        driver.Feed(StreamDirection.Egress, [.. lost.AsSpan(26), .. KafkaSamples.HeartbeatV4Request(3, "g")]);
        driver.Feed(StreamDirection.Ingress, [.. KafkaSamples.MetadataV12Response(2, "orders", 1), .. KafkaSamples.HeartbeatV4Response(3, 0)]);
        var record = Assert.Single(driver.Records());
        Assert.Equal((KafkaApiKey.Heartbeat, 3, "OK"), (record.ApiKey, record.CorrelationId, record.Outcome));
    }

    [Fact]
    public void Joining_mid_stream_skips_answers_to_unseen_requests_and_decodes_the_rest()
    {
        var conversation = KafkaSamples.EveryApi();
        var driver = KafkaSamples.Driver(role: ConnectionRole.Unknown);
        // Tracing starts after the Fetch request went out: its response arrives first.
        foreach (var (direction, bytes) in conversation.Skip(7))
        {
            driver.Feed(direction, bytes);
        }

        var records = driver.Records();
        Assert.Equal(Enumerable.Range(6, 7), records.Select(r => r.CorrelationId));
        Assert.All(records, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.Equal("MEMBER_ID_REQUIRED", records.Single(r => r.ApiKey == KafkaApiKey.JoinGroup).Outcome);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Seeded_garbage_never_throws_and_stays_bounded(int seed)
    {
        var random = new Random(seed);
        var driver = KafkaSamples.Driver();
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                // Plausible size prefixes reach the decoders instead of being rejected at once.
                bytes[0] = 0;
                bytes[1] = 0;
            }

            driver.Feed(i % 2 == 0 ? StreamDirection.Egress : StreamDirection.Ingress, bytes);
        }

        Assert.True(driver.Buffered(StreamDirection.Egress) <= 64 * 1024 + 4);
        driver.Complete();
        Assert.True(driver.Records().Count <= 1024 + 200);
    }

    [Fact]
    public void Every_truncation_of_every_message_decodes_without_throwing()
    {
        foreach (var (direction, bytes) in KafkaSamples.EveryApi())
        {
            for (int cut = 4; cut < bytes.Length; cut++)
            {
                // The size prefix says the message ends at the cut: decoders see a short body.
                var shortened = bytes[..cut];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(shortened, cut - 4);
                var driver = KafkaSamples.Driver();
                driver.Feed(StreamDirection.Egress, KafkaSamples.EveryApi().Where(d => d.Direction == StreamDirection.Egress).SelectMany(d => d.Bytes).ToArray());
                driver.Feed(direction, shortened);
                driver.Complete();
            }
        }
    }

    [Fact]
    public void An_impossible_size_is_invalid_and_the_next_request_is_found()
    {
        var driver = KafkaSamples.Driver();
        driver.Feed(StreamDirection.Egress, [0x7f, 0xff, 0xff, 0xff, 1, 2, 3, .. KafkaSamples.HeartbeatV4Request(1, "g")]);
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Response(1, 0));
        Assert.Equal(1, driver.InvalidCount);
        Assert.Equal("OK", Assert.Single(driver.Records()).Outcome);
    }

    [Fact]
    public void A_server_stream_that_starts_after_a_size_prefix_finds_the_next_request()
    {
        var driver = KafkaSamples.Driver(role: ConnectionRole.Server);
        var first = KafkaSamples.ApiVersionsV3Request;
        Assert.True(new KafkaParser().Infer(first.AsSpan(4), StreamDirection.Ingress) >= 50);
        driver.Gap(StreamDirection.Ingress, 4);
        driver.Feed(StreamDirection.Ingress, [.. first.AsSpan(4), .. KafkaSamples.MetadataV12Request(2, "orders")]);
        driver.Feed(StreamDirection.Egress, [.. KafkaSamples.ApiVersionsV3Response, .. KafkaSamples.MetadataV12Response(2, "orders", 1)]);
        var record = Assert.Single(driver.Records());
        Assert.Equal((KafkaApiKey.Metadata, ConnectionRole.Server, "orders"), (record.ApiKey, record.Role, record.Partitions[0].Topic));
    }

    [Fact]
    public void A_server_whose_request_stream_is_behind_still_pairs_each_response_with_its_request()
    {
        // What a broker's end looks like when its request stream starts after a size prefix it read on its own:
        // the request stream resyncs, and the responses are parsed before the requests they answer.
        var driver = KafkaSamples.Driver(role: ConnectionRole.Server);
        var at = RecordingParseContext.Epoch;
        driver.Gap(StreamDirection.Ingress, 4);
        driver.Feed(StreamDirection.Ingress, KafkaSamples.ApiVersionsV3Request.AsSpan(4), at);
        driver.Feed(StreamDirection.Egress, [.. KafkaSamples.ApiVersionsV3Response, .. KafkaSamples.MetadataV12Response(2, "orders", 1)], at.AddMilliseconds(30));
        driver.Feed(StreamDirection.Egress, KafkaSamples.ProduceV9Response(3, "orders"), at.AddMilliseconds(50));
        Assert.Empty(driver.Records());

        driver.Feed(StreamDirection.Ingress, KafkaSamples.MetadataV12Request(2, "orders"), at.AddMilliseconds(20));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.ProduceV9Request(3, "orders"), at.AddMilliseconds(40));
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        var metadata = records[0];
        Assert.Equal((KafkaApiKey.Metadata, 2, ConnectionRole.Server, (short?)0, "orders"), (metadata.ApiKey, metadata.CorrelationId, metadata.Role, metadata.ErrorCode, metadata.Partitions[0].Topic));
        Assert.Equal(TimeSpan.FromMilliseconds(10), metadata.Latency);
        var produce = records[1];
        Assert.Equal((KafkaApiKey.Produce, 3, (short?)6, "NOT_LEADER_OR_FOLLOWER"), (produce.ApiKey, produce.CorrelationId, produce.ErrorCode, produce.Outcome));
        Assert.Equal(TimeSpan.FromMilliseconds(10), produce.Latency);
        Assert.Equal(KafkaSamples.ProduceV9Response(3, "orders").Length, produce.ResponseSize);

        driver.Complete();
        Assert.Equal(2, driver.Records().Count);
    }

    [Fact]
    public void Responses_to_requests_never_seen_are_held_only_a_few_at_a_time_and_never_pair_with_other_ids()
    {
        var driver = KafkaSamples.Driver(role: ConnectionRole.Server);
        for (int id = 100; id < 140; id++)
        {
            driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Response(id, 0));
        }

        // Only the most recent answers are held: an old id gets no response, a recent one does.
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Request(100, "g"));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Request(139, "g"));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Request(7, "g"));
        driver.Complete();
        var records = driver.Records();
        Assert.Equal(3, records.Count);
        Assert.Equal((139, "OK"), (records.Single(r => r.ResponseTime is not null).CorrelationId, records.Single(r => r.ResponseTime is not null).Outcome));
        Assert.All(records.Where(r => r.CorrelationId != 139), r => Assert.Null(r.ResponseTime));
    }

    [Fact]
    public void Resync_looks_past_a_candidate_whose_client_id_runs_off_the_data()
    {
        var context = new RecordingParseContext();
        var parser = new KafkaParser().CreateConnectionParser(context);
        // Looks like a request header with a 200-byte client id that is not all here, then a real request.
        byte[] decoy = [0, 0, 1, 0, 0, 3, 0, 1, 0, 0, 0, 9, 0, 200, (byte)'a', (byte)'b'];
        var request = KafkaSamples.HeartbeatV4Request(3, "g");
        var data = new System.Buffers.ReadOnlySequence<byte>([.. decoy, .. request]);
        Assert.True(parser.TryFindFrameStart(StreamDirection.Egress, data, out var start));
        Assert.Equal(decoy.Length, data.Slice(0, start).Length);
    }

    [Fact]
    public void A_request_stream_whose_first_bytes_come_after_its_start_is_resynced_not_framed()
    {
        var context = new RecordingParseContext();
        var parser = new RoleOverrideParser(new KafkaParser(), ConnectionRole.Server).CreateConnectionParser(context);
        var body = new System.Buffers.ReadOnlySequence<byte>(KafkaSamples.ApiVersionsV3Request.AsMemory(4));
        Assert.Equal(ParseStatus.Invalid, parser.Parse(StreamDirection.Ingress, body, 4, out var consumed));
        Assert.Equal(1, body.Slice(0, consumed).Length);

        var whole = new System.Buffers.ReadOnlySequence<byte>(KafkaSamples.ApiVersionsV3Request);
        var fresh = new RoleOverrideParser(new KafkaParser(), ConnectionRole.Server).CreateConnectionParser(context);
        Assert.Equal(ParseStatus.Continue, fresh.Parse(StreamDirection.Ingress, whole, 4, out consumed));
        Assert.Equal(whole.Length, whole.Slice(0, consumed).Length);
    }

    [Theory]
    [InlineData("00000025001200030000000100077264", 80)]
    [InlineData("0000002500120003000000010007726b", 80)]
    [InlineData("000000250012000300000001ffff0000", 40)]
    [InlineData("0000002500ff000300000001ffff0000", 0)]
    [InlineData("00000025001200ff00000001ffff0000", 0)]
    [InlineData("474554202f20485454502f312e310d0a", 0)]
    [InlineData("001200030000000100077264", 60)]
    [InlineData("001200030000000100071264", 0)]
    public void Inference_scores_request_heads(string hex, int score)
    {
        var parser = new KafkaParser();
        int actual = parser.Infer(Convert.FromHexString(hex), StreamDirection.Egress);
        if (score == 60)
        {
            Assert.Equal(60, actual);
        }
        else if (score == 80)
        {
            Assert.True(actual >= 30, $"score {actual}");
        }
        else
        {
            Assert.Equal(score, actual);
        }
    }
}
