using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Integration.Kafka;

/// <summary>
/// kcat (from apt, a child process) producing to <see cref="KafkaBrokerResponder"/> — a responder written
/// from the protocol description, since no Kafka broker can be installed here. The client's requests are
/// kcat's own bytes, traced from the kernel.
/// </summary>
[Collection("Kernel")]
public sealed class KcatProducerTests
{
    [KernelFact]
    public async Task Kcat_produce_is_traced_with_its_topic_record_count_and_codec()
    {
        await using var broker = KafkaBrokerResponder.Start("kcat-orders");
        var lines = Path.Combine(Path.GetTempPath(), $"kcat-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(lines, Enumerable.Range(1, 4).Select(i => $"line-{i}:" + new string('z', 400)));
        try
        {
            var options = new ProtocolTracingOptions { TraceOwnProcess = true };
            await using var session = await TracingSession.StartAsync(options, [new KafkaParser()]);
            var run = await ProcessRun.RunAsync(
                "kcat",
                ["-P", "-b", broker.BootstrapServers, "-t", broker.Topic, "-p", "0", "-z", "gzip", "-X", "client.id=kcat-client", "-X", "linger.ms=100", "-l", lines],
                TestTimeouts.Process);
            Assert.True(run.ExitCode == 0, $"kcat failed: {run.StandardError}");
            Assert.Equal(4, broker.RecordsAccepted);

            bool Sent(KafkaRecord r) => r.Pid == run.Pid && r.RemoteEndPoint?.Port == broker.Port && r.ApiKey == KafkaApiKey.Produce;
            await ConfluentKafkaProducerTests.WaitForRecordCountAsync(session, Sent, 4);
            var produced = session.Snapshot().OfType<KafkaRecord>().Where(Sent).ToList();
            Assert.All(produced, r => Assert.Equal("kcat-client", r.ClientId));
            // The codec the responder read from the same bytes (librdkafka may send a batch uncompressed).
            Assert.All(produced, r => Assert.Contains((int)r.Partitions[0].Compression!.Value, broker.Codecs));
            Assert.All(produced, r => Assert.Equal(ConnectionRole.Client, r.Role));
            Assert.All(produced, r => Assert.True(r.Latency > TimeSpan.Zero, $"latency {r.Latency}"));

            var metadata = await session.WaitForAsync<KafkaRecord>(r => r.Pid == run.Pid && r.ApiKey == KafkaApiKey.Metadata && r.ErrorCode == 0, 1, "kcat's Metadata");
            Assert.Contains(metadata, r => r.Partitions.Any(p => p.Topic == broker.Topic));
        }
        finally
        {
            File.Delete(lines);
        }
    }
}
