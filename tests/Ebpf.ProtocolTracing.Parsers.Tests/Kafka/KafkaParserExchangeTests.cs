using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>Each decoded api, in the versions current clients use, becomes the record its bytes say.</summary>
public sealed class KafkaParserExchangeTests
{
    private static List<KafkaRecord> Run(params (StreamDirection Direction, byte[] Bytes)[] deliveries)
    {
        var driver = KafkaSamples.Driver();
        for (int i = 0; i < deliveries.Length; i++)
        {
            driver.Feed(deliveries[i].Direction, deliveries[i].Bytes, RecordingParseContext.Epoch.AddMilliseconds(i * 10));
        }

        Assert.Equal(0, driver.InvalidCount);
        return driver.Records();
    }

    [Fact]
    public void The_hand_written_ApiVersions_vector_matches_the_schema_builder()
    {
        var request = KafkaWire.Request(18, 3, 1, "rdkafka", flexible: true).String("librdkafka", true).String("2.16.0", true).Tags(true).Message();
        Assert.Equal(KafkaSamples.ApiVersionsV3Request, request);
        Assert.Equal(41, KafkaSamples.ApiVersionsV3Request.Length);
    }

    [Fact]
    public void ApiVersions_v3_is_named_and_matched_though_its_response_header_has_no_tags()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.ApiVersionsV3Request), (StreamDirection.Ingress, KafkaSamples.ApiVersionsV3Response)));
        Assert.Equal(KafkaApiKey.ApiVersions, record.ApiKey);
        Assert.Equal("ApiVersions", record.Operation);
        Assert.Equal((short)3, record.ApiVersion);
        Assert.Equal(1, record.CorrelationId);
        Assert.Equal("rdkafka", record.ClientId);
        Assert.Equal((short)0, record.ErrorCode);
        Assert.Equal("OK", record.Outcome);
        Assert.False(record.IsError);
        Assert.Equal(41, record.RequestSize);
        Assert.Equal(30, record.ResponseSize);
        Assert.Equal(TimeSpan.FromMilliseconds(10), record.Latency);
        Assert.Equal(ConnectionRole.Client, record.Role);
    }

    [Fact]
    public void Metadata_v12_lists_the_partitions_the_broker_returned()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.MetadataV12Request(2, "orders")), (StreamDirection.Ingress, KafkaSamples.MetadataV12Response(2, "orders", 3))));
        Assert.Equal(KafkaApiKey.Metadata, record.ApiKey);
        Assert.Equal(3, record.PartitionCount);
        Assert.Equal([0, 1, 2], record.Partitions.Select(p => p.Partition));
        Assert.All(record.Partitions, p => Assert.Equal("orders", p.Topic));
        Assert.Equal("orders/0", record.Resource);
        Assert.Equal((short)0, record.ErrorCode);
    }

    [Fact]
    public void Metadata_for_an_unknown_topic_names_the_error()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.MetadataV12Request(2, "nope")), (StreamDirection.Ingress, KafkaSamples.MetadataV12Response(2, "nope", 0, topicError: 3))));
        Assert.Equal((short)3, record.ErrorCode);
        Assert.Equal("UNKNOWN_TOPIC_OR_PARTITION", record.ErrorName);
        Assert.Equal("UNKNOWN_TOPIC_OR_PARTITION", record.Outcome);
        Assert.True(record.IsError);
        Assert.Equal("nope", record.Resource);
    }

    [Fact]
    public void Produce_v7_counts_records_and_names_the_codec_and_the_base_offset()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.ProduceV7Request(3, "orders", 1, 5, 3)), (StreamDirection.Ingress, KafkaSamples.ProduceV7Response(3, "orders", 1, 0, 42))));
        Assert.Equal(KafkaApiKey.Produce, record.ApiKey);
        Assert.Equal((short)-1, record.Acks);
        Assert.Equal("producer-1", record.ClientId);
        var partition = Assert.Single(record.Partitions);
        Assert.Equal(("orders", 1, 5L, 1, KafkaCompression.Lz4, 42L, (short)0), (partition.Topic, partition.Partition, partition.RecordCount, partition.BatchCount, partition.Compression, partition.Offset, partition.ErrorCode));
        Assert.Equal(5, record.RecordCount);
        Assert.Equal("orders/1", record.Resource);
        Assert.Contains("(5 records, lz4)", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Produce_v9_flexible_with_several_batches_and_a_partition_error()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.ProduceV9Request(4, "events")), (StreamDirection.Ingress, KafkaSamples.ProduceV9Response(4, "events"))));
        Assert.Equal(2, record.PartitionCount);
        Assert.Equal(9, record.RecordCount);
        Assert.Equal((4L, 1, KafkaCompression.None, (short)0), (record.Partitions[0].RecordCount!.Value, record.Partitions[0].BatchCount, record.Partitions[0].Compression!.Value, record.Partitions[0].ErrorCode!.Value));
        Assert.Equal((5L, 2, KafkaCompression.Gzip, (short)6), (record.Partitions[1].RecordCount!.Value, record.Partitions[1].BatchCount, record.Partitions[1].Compression!.Value, record.Partitions[1].ErrorCode!.Value));
        Assert.Equal((short)6, record.ErrorCode);
        Assert.Equal("NOT_LEADER_OR_FOLLOWER", record.Outcome);
        Assert.Equal("not the leader", record.ErrorMessage);
    }

    [Fact]
    public void Produce_with_acks_0_is_emitted_without_waiting_for_a_response()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.ProduceV7Request(3, "orders", 0, 1, 0, acks: 0))));
        Assert.Null(record.ResponseTime);
        Assert.Null(record.Outcome);
        Assert.False(record.DataLost);
        Assert.Equal(1, record.RecordCount);
    }

    [Fact]
    public void Fetch_v12_counts_the_records_returned()
    {
        var record = Assert.Single(Run((StreamDirection.Egress, KafkaSamples.FetchV12Request(5, "orders")), (StreamDirection.Ingress, KafkaSamples.FetchV12Response(5, "orders"))));
        Assert.Equal(KafkaApiKey.Fetch, record.ApiKey);
        var partition = Assert.Single(record.Partitions);
        Assert.Equal(("orders", 2, 13L, 2, KafkaCompression.Zstd, 30L), (partition.Topic, partition.Partition, partition.RecordCount!.Value, partition.BatchCount, partition.Compression!.Value, partition.Offset!.Value));
        Assert.Equal(13, record.RecordCount);
        Assert.Equal((short)0, record.ErrorCode);
    }

    [Fact]
    public void Every_decoded_api_in_one_pipelined_conversation()
    {
        var records = Run(KafkaSamples.EveryApi());
        Assert.Equal(
            ["ApiVersions", "Metadata", "Produce", "Produce", "Fetch", "ListOffsets", "FindCoordinator", "JoinGroup", "SyncGroup", "Heartbeat", "OffsetCommit", "OffsetFetch"],
            records.Select(r => r.Operation));
        Assert.Equal(Enumerable.Range(1, 12), records.Select(r => r.CorrelationId));
        var byApi = records.ToDictionary(r => r.CorrelationId);
        Assert.Equal(5L, byApi[6].Partitions[0].Offset);
        Assert.Equal("group-a", byApi[7].GroupId);
        Assert.Equal("MEMBER_ID_REQUIRED", byApi[8].Outcome);
        Assert.Equal("group-a", byApi[9].GroupId);
        Assert.Equal("OK", byApi[9].Outcome);
        Assert.Equal("REBALANCE_IN_PROGRESS", byApi[10].Outcome);
        Assert.Equal(99L, byApi[11].Partitions[0].Offset);
        Assert.Equal("OK", byApi[11].Outcome);
        Assert.Equal([0, 1], byApi[12].Partitions.Select(p => p.Partition));
        Assert.Equal(99L, byApi[12].Partitions[0].Offset);
        Assert.All(records, r => Assert.False(r.DataLost));
    }

    [Fact]
    public void A_server_sees_requests_on_its_ingress()
    {
        var driver = KafkaSamples.Driver(role: ConnectionRole.Server);
        driver.Feed(StreamDirection.Ingress, KafkaSamples.MetadataV12Request(2, "orders"));
        driver.Feed(StreamDirection.Egress, KafkaSamples.MetadataV12Response(2, "orders", 1));
        var record = Assert.Single(driver.Records());
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal(1, record.PartitionCount);
    }

    [Fact]
    public void An_unknown_role_is_learned_from_which_side_sends_requests()
    {
        var driver = KafkaSamples.Driver(role: ConnectionRole.Unknown);
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Request(10, "g"));
        driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Response(10, 0));
        var record = Assert.Single(driver.Records());
        Assert.Equal(ConnectionRole.Server, record.Role);
        Assert.Equal("OK", record.Outcome);
    }

    [Fact]
    public void A_request_without_a_response_is_emitted_at_completion()
    {
        var driver = KafkaSamples.Driver();
        driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Request(10, "g"));
        Assert.Empty(driver.Records());
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Null(record.ResponseTime);
        Assert.Null(record.ErrorCode);
    }

    [Fact]
    public void Unknown_api_keys_are_named_and_matched_but_not_decoded()
    {
        var request = KafkaWire.Request(19, 4, 77, "admin", flexible: false).Raw([1, 2, 3]).Message();
        var response = KafkaWire.Response(77, false).Raw([9, 9]).Message();
        var record = Assert.Single(Run((StreamDirection.Egress, request), (StreamDirection.Ingress, response)));
        Assert.Equal(KafkaApiKey.CreateTopics, record.ApiKey);
        Assert.Null(record.ErrorCode);
        Assert.NotNull(record.ResponseTime);
    }

    [Fact]
    public void Partitions_are_bounded_but_counted()
    {
        var driver = KafkaSamples.Driver(new KafkaParserOptions { MaxPartitions = 2 });
        driver.Feed(StreamDirection.Egress, KafkaSamples.MetadataV12Request(2, "orders"));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.MetadataV12Response(2, "orders", 50));
        var record = Assert.Single(driver.Records());
        Assert.Equal(2, record.Partitions.Count);
        Assert.Equal(50, record.PartitionCount);
    }

    [Fact]
    public void A_message_longer_than_the_head_limit_is_skipped_past_and_marked_truncated()
    {
        var driver = KafkaSamples.Driver(new KafkaParserOptions { MaxMessageHeadBytes = 100 });
        driver.Feed(StreamDirection.Egress, KafkaSamples.FetchV12Request(5, "orders"));
        var response = KafkaSamples.FetchV12Response(5, "orders");
        driver.Feed(StreamDirection.Ingress, response);
        driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Request(6, "g"));
        driver.Feed(StreamDirection.Ingress, KafkaSamples.HeartbeatV4Response(6, 0));
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.True(records[0].Truncated);
        Assert.Equal(response.Length, records[0].ResponseSize);
        Assert.Equal(KafkaApiKey.Heartbeat, records[1].ApiKey);
        Assert.True(driver.MaxBuffered <= 104, $"buffered {driver.MaxBuffered}");
    }

    [Fact]
    public void Too_many_requests_in_flight_evict_the_oldest_as_lost()
    {
        var driver = KafkaSamples.Driver(new KafkaParserOptions { MaxPendingRequests = 3 });
        for (int i = 0; i < 5; i++)
        {
            driver.Feed(StreamDirection.Egress, KafkaSamples.HeartbeatV4Request(i, "g"));
        }

        var records = driver.Records();
        Assert.Equal([0, 1], records.Select(r => r.CorrelationId));
        Assert.All(records, r => Assert.True(r.DataLost));
    }

    [Fact]
    public void SaslAuthenticate_bytes_never_reach_a_record()
    {
        const string secret = "hunter2-very-secret";
        var request = KafkaWire.Request(36, 2, 3, "client", flexible: true)
            .Bytes(System.Text.Encoding.UTF8.GetBytes("\0user\0" + secret), true).Tags(true).Message();
        var response = KafkaWire.Response(3, true).Int16(0).String(null, true).Bytes([], true).Int64(0).Tags(true).Message();
        var record = Assert.Single(Run((StreamDirection.Egress, request), (StreamDirection.Ingress, response)));
        Assert.Equal(KafkaApiKey.SaslAuthenticate, record.ApiKey);
        Assert.DoesNotContain(secret, KafkaSamples.Describe(record), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, record.ToString(), StringComparison.Ordinal);
    }
}
