using System.Diagnostics;
using Ebpf.ProtocolTracing.Postgres;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ebpf.ProtocolTracing.OpenTelemetry.Tests;

public sealed class ProtocolRecordSpanEmitterTests : IDisposable
{
    private readonly List<Activity> _exported = [];
    private readonly TracerProvider _provider;

    public ProtocolRecordSpanEmitterTests()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(ProtocolTracingInstrumentation.ActivitySourceName)
            .AddInMemoryExporter(_exported)
            .Build()!;
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void A_server_http_record_becomes_a_server_span_with_its_times_and_attributes()
    {
        var container = new ContainerInfo(new string('c', 64), "containerd") { PodUid = "2f0b3c61-8a5e-4f0e-9c3b-7d2a1e4b5c6d" };
        using var emitter = new ProtocolRecordSpanEmitter();

        emitter.Emit(TestRecords.Http(ConnectionRole.Server, container: container));
        _provider.ForceFlush();

        var span = Assert.Single(_exported);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("GET", span.DisplayName);
        Assert.Equal(TestRecords.Start.UtcDateTime, span.StartTimeUtc);
        Assert.Equal(TimeSpan.FromMilliseconds(25), span.Duration);
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal("GET", span.GetTagItem("http.request.method"));
        Assert.Equal("/orders/17", span.GetTagItem("url.path"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.Equal("1.1", span.GetTagItem("network.protocol.version"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal(8080, span.GetTagItem("server.port"));
        Assert.Equal("10.1.2.3", span.GetTagItem("client.address"));
        Assert.Equal(51000, span.GetTagItem("client.port"));
        Assert.Equal("10.1.2.3", span.GetTagItem("network.peer.address"));
        Assert.Equal(4242, span.GetTagItem("process.pid"));
        Assert.Equal("nginx", span.GetTagItem("process.executable.name"));
        Assert.Equal("/usr/sbin/nginx", span.GetTagItem("process.executable.path"));
        Assert.Equal(container.Id, span.GetTagItem("container.id"));
        Assert.Equal(container.PodUid, span.GetTagItem("k8s.pod.uid"));
        Assert.Null(span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value is string text && text.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void A_client_record_is_a_client_span_to_the_remote_server()
    {
        using var emitter = new ProtocolRecordSpanEmitter();

        emitter.Emit(TestRecords.Http(ConnectionRole.Client, status: 503));
        _provider.ForceFlush();

        var span = Assert.Single(_exported);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("10.9.8.7", span.GetTagItem("server.address"));
        Assert.Equal(443, span.GetTagItem("server.port"));
        Assert.Null(span.GetTagItem("client.address"));
        Assert.Equal("503", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public void Database_records_name_the_system_and_operation_and_keep_the_statement_only_when_allowed()
    {
        var record = new PostgresRecord
        {
            Connection = TestRecords.Connection(ConnectionRole.Client),
            Role = ConnectionRole.Client,
            RequestTime = TestRecords.Start,
            ResponseTime = TestRecords.Start.AddMilliseconds(3),
            Command = PostgresCommand.Query,
            Statement = "SELECT * FROM users WHERE email = 'a@b.c'",
        };

        using (var emitter = new ProtocolRecordSpanEmitter())
        {
            emitter.Emit(record);
        }

        using (var emitter = new ProtocolRecordSpanEmitter(new ProtocolTracingSpanOptions { IncludeQueryText = true }))
        {
            emitter.Emit(record);
        }

        _provider.ForceFlush();
        Assert.Equal(2, _exported.Count);
        foreach (var span in _exported)
        {
            Assert.Equal("postgresql", span.GetTagItem("db.system.name"));
            Assert.Equal(record.Operation, span.GetTagItem("db.operation.name"));
            Assert.Equal(record.Operation, span.DisplayName);
        }

        Assert.Null(_exported[0].GetTagItem("db.query.text"));
        Assert.Equal(record.Statement, _exported[1].GetTagItem("db.query.text"));
    }

    [Fact]
    public void Records_of_this_process_are_left_out_so_exports_cannot_loop()
    {
        using var emitter = new ProtocolRecordSpanEmitter();

        Assert.Null(emitter.Emit(TestRecords.Http(ConnectionRole.Client, pid: Environment.ProcessId)));
        Assert.NotNull(emitter.Emit(TestRecords.Http(ConnectionRole.Client)));
        _provider.ForceFlush();

        Assert.Single(_exported);
    }

    [Fact]
    public void Spans_are_roots_even_inside_another_activity()
    {
        using var emitter = new ProtocolRecordSpanEmitter();
        using var ambientSource = new ActivitySource("ambient");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ambient",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using (var ambient = ambientSource.StartActivity("outer"))
        {
            Assert.NotNull(ambient);
            emitter.Emit(TestRecords.Http(ConnectionRole.Server));
            Assert.Same(ambient, Activity.Current);
        }

        _provider.ForceFlush();
        Assert.Equal(default, Assert.Single(_exported).ParentSpanId);
    }

    [Fact]
    public void The_filter_decides_which_records_become_spans()
    {
        using var emitter = new ProtocolRecordSpanEmitter(new ProtocolTracingSpanOptions { Filter = r => r.Role == ConnectionRole.Server });

        emitter.Emit(TestRecords.Http(ConnectionRole.Client));
        emitter.Emit(TestRecords.Http(ConnectionRole.Server));
        _provider.ForceFlush();

        Assert.Equal(ActivityKind.Server, Assert.Single(_exported).Kind);
    }
}
