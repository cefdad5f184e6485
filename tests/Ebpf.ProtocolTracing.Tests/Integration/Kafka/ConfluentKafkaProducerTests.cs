using Confluent.Kafka;
using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Kafka;

/// <summary>
/// Confluent.Kafka (librdkafka, bundled in its NuGet package) in this process, producing to
/// <see cref="KafkaBrokerResponder"/>: no Kafka broker can be installed on this machine, so the broker side
/// is a small responder written from the protocol description. The client is real: its ApiVersions,
/// Metadata and Produce requests are librdkafka's own bytes, traced from the kernel on both ends.
/// </summary>
[Collection("Kernel")]
public sealed class ConfluentKafkaProducerTests
{
    private static ProtocolTracingOptions OwnProcess()
    {
        var options = new ProtocolTracingOptions { TraceOwnProcess = true };
        options.ProcessIds.Add(Environment.ProcessId);
        return options;
    }

    private static IProducer<Null, string> Producer(KafkaBrokerResponder broker) =>
        new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            ClientId = "traced-producer",
            CompressionType = CompressionType.Lz4,
            LingerMs = 50,
            Acks = Acks.All,
            EnableIdempotence = false,
            BrokerAddressFamily = BrokerAddressFamily.V4,
            MessageTimeoutMs = 20_000,
        }).Build();

    private static async Task ProduceBatchAsync(IProducer<Null, string> producer, string topic, int count)
    {
        var delivered = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int done = 0;
        for (int i = 0; i < count; i++)
        {
            producer.Produce(topic, new Message<Null, string> { Value = $"order-{i}:" + new string('x', 512) }, report =>
            {
                if (report.Error.IsError)
                {
                    delivered.TrySetException(new InvalidOperationException($"delivery failed: {report.Error}"));
                }
                else if (Interlocked.Increment(ref done) == count)
                {
                    delivered.TrySetResult(count);
                }
            });
        }

        producer.Flush(TestTimeouts.Records);
        await delivered.Task.WaitAsync(TestTimeouts.Records);
    }

    [KernelFact]
    public async Task ApiVersions_Metadata_and_Produce_from_librdkafka_become_records_on_both_ends()
    {
        await using var broker = KafkaBrokerResponder.Start("traced-orders");
        await using var session = await TracingSession.StartAsync(OwnProcess(), [new KafkaParser()]);
        using (var producer = Producer(broker))
        {
            await ProduceBatchAsync(producer, broker.Topic, 3);
        }

        Assert.Equal(3, broker.RecordsAccepted);
        bool Sent(KafkaRecord r) => r.Role == ConnectionRole.Client && r.RemoteEndPoint?.Port == broker.Port;
        bool Served(KafkaRecord r) => r.Role == ConnectionRole.Server && r.LocalEndPoint?.Port == broker.Port;

        var apiVersions = await session.WaitForAsync<KafkaRecord>(r => Sent(r) && r.ApiKey == KafkaApiKey.ApiVersions && r.ErrorCode == 0, 1, "ApiVersions answered");
        Assert.All(apiVersions, r => Assert.Equal("traced-producer", r.ClientId));
        Assert.All(apiVersions, r => Assert.Equal((short)3, r.ApiVersion));

        var metadata = await session.WaitForAsync<KafkaRecord>(r => Sent(r) && r.ApiKey == KafkaApiKey.Metadata && r.ErrorCode == 0 && r.Partitions.Any(p => p.Topic == broker.Topic), 1, "Metadata naming the topic");
        var described = metadata[^1];
        Assert.InRange(described.ApiVersion, (short)1, (short)12);
        Assert.Equal((broker.Topic, 0, (short?)0), (described.Partitions[0].Topic, described.Partitions[0].Partition, described.Partitions[0].ErrorCode));
        Assert.Equal("OK", described.Outcome);

        var produced = await session.WaitForAsync<KafkaRecord>(r => Sent(r) && r.ApiKey == KafkaApiKey.Produce && r.ErrorCode is not null, 1, "Produce answered");
        await WaitForRecordCountAsync(session, r => Sent(r) && r.ApiKey == KafkaApiKey.Produce, 3);
        produced = session.Snapshot().OfType<KafkaRecord>().Where(r => Sent(r) && r.ApiKey == KafkaApiKey.Produce).ToList();
        Assert.Equal(3, produced.Sum(r => r.RecordCount));
        foreach (var record in produced)
        {
            Assert.Equal((short)9, record.ApiVersion); // the highest both ends support: flexible
            Assert.Equal((short)-1, record.Acks);
            Assert.Equal("OK", record.Outcome);
            var partition = Assert.Single(record.Partitions);
            // The codec the responder read from the same bytes (librdkafka may send a batch uncompressed).
            Assert.Equal((broker.Topic, 0), (partition.Topic, partition.Partition));
            Assert.Contains((int)partition.Compression!.Value, broker.Codecs);
            Assert.Equal(Environment.ProcessId, record.Pid);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
            Assert.False(record.DataLost);
        }

        // The responder's end of the same connections, seen as a server: it reads each size prefix on its own, so
        // the kernel recognises its stream only from the first request's body, and the request stream resyncs
        // behind the response stream. Its responses still pair with their requests (held until the request comes).
        await WaitForRecordCountAsync(session, r => Served(r) && r.ApiKey == KafkaApiKey.Produce, 3);
        var served = session.Snapshot().OfType<KafkaRecord>().Where(r => Served(r) && r.ApiKey is KafkaApiKey.Produce or KafkaApiKey.Metadata).ToList();
        Assert.Contains(served, r => r.ApiKey == KafkaApiKey.Metadata && r.Partitions.Any(p => p.Topic == broker.Topic && p.ErrorCode == 0));
        var sentIds = session.Snapshot().OfType<KafkaRecord>().Where(Sent).Select(c => (c.ApiKey, c.CorrelationId)).ToHashSet();
        foreach (var record in served)
        {
            Assert.True(record.ResponseTime is not null && record.ErrorCode == 0, $"a served request without its response: {record}");
            Assert.Contains((record.ApiKey, record.CorrelationId), sentIds);
            Assert.Equal(Environment.ProcessId, record.Pid);
            Assert.True(record.Latency > TimeSpan.Zero, $"latency {record.Latency}");
            Assert.False(record.DataLost);
        }

        var servedProduce = served.Where(r => r.ApiKey == KafkaApiKey.Produce).ToList();
        Assert.Equal(3, servedProduce.Sum(r => r.RecordCount));
        Assert.All(servedProduce, r => Assert.Equal((broker.Topic, (short?)0), (r.Partitions[0].Topic, r.Partitions[0].ErrorCode)));
    }

    [KernelFact]
    public async Task Tracing_started_on_a_connection_in_use_decodes_the_later_produce_requests()
    {
        await using var broker = KafkaBrokerResponder.Start("joined-orders");
        using var producer = Producer(broker);
        await ProduceBatchAsync(producer, broker.Topic, 1);

        await using var session = await TracingSession.StartAsync(OwnProcess(), [new KafkaParser()]);
        await ProduceBatchAsync(producer, broker.Topic, 2);
        await ProduceBatchAsync(producer, broker.Topic, 2);

        bool Sent(KafkaRecord r) => r.Pid == Environment.ProcessId && r.RemoteEndPoint?.Port == broker.Port && r.ApiKey == KafkaApiKey.Produce;
        await WaitForRecordCountAsync(session, Sent, 4);
        var produced = session.Snapshot().OfType<KafkaRecord>().Where(Sent).ToList();
        Assert.Equal(4, produced.Sum(r => r.RecordCount));
        Assert.All(produced, r => Assert.Equal(ConnectionRole.Client, r.Role));
        Assert.All(produced, r => Assert.Equal("OK", r.Outcome));
        Assert.All(produced, r => Assert.Equal(broker.Topic, r.Partitions[0].Topic));
        Assert.All(produced, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));
    }

    /// <summary>Waits until the matching records together carry <paramref name="records"/> Kafka records.</summary>
    internal static async Task WaitForRecordCountAsync(TracingSession session, Func<KafkaRecord, bool> match, long records)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Records;
        while (session.Snapshot().OfType<KafkaRecord>().Where(match).Sum(r => r.RecordCount) < records)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waited for {records} produced records; got: {string.Join("\n  ", session.Snapshot().OfType<KafkaRecord>())}");
            }

            await Task.Delay(20);
        }
    }
}
