using System.Diagnostics.Metrics;
using System.Net;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Metrics;
using Ebpf.ProtocolTracing.Postgres;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Tests.Metrics;

public sealed class RequestMetricsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly Meter _meter = new(ProtocolTracingMeter.Name);
    private readonly MeasurementCollector _collector;
    private readonly RequestMetrics _metrics;

    public RequestMetricsTests()
    {
        _collector = new MeasurementCollector(meter => ReferenceEquals(meter, _meter));
        _metrics = new RequestMetrics(_meter);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void A_server_http_exchange_is_an_http_server_request_duration_in_seconds()
    {
        _metrics.Record(Http(ConnectionRole.Server, "GET", "/users/42?secret=1", 404, latencyMs: 250));

        var measurement = Assert.Single(_collector.Of("http.server.request.duration"));
        Assert.Equal("s", measurement.Unit);
        Assert.Equal(0.25, measurement.Value, precision: 6);
        Assert.Equal("GET", measurement.Tags["http.request.method"]);
        Assert.Equal(404, measurement.Tags["http.response.status_code"]);
        Assert.Equal(8080, measurement.Tags["server.port"]);
        Assert.Equal("1.1", measurement.Tags["network.protocol.version"]);
        Assert.False(measurement.Tags.ContainsKey("error.type"));
        AssertLowCardinality(measurement);
        Assert.Empty(_collector.Of("http.client.request.duration"));
    }

    [Fact]
    public void A_client_http_exchange_is_a_client_duration_and_errors_get_an_error_type()
    {
        _metrics.Record(Http(ConnectionRole.Client, "POST", "/orders", 503, latencyMs: 10));

        var measurement = Assert.Single(_collector.Of("http.client.request.duration"));
        Assert.Equal(5432, measurement.Tags["server.port"]);
        Assert.Equal("503", measurement.Tags["error.type"]);
        Assert.Empty(_collector.Of("http.server.request.duration"));
    }

    [Fact]
    public void Unknown_methods_collapse_to_other()
    {
        _metrics.Record(Http(ConnectionRole.Server, "XYZZY", "/", 200, latencyMs: 1));

        Assert.Equal("_OTHER", Assert.Single(_collector.Of("http.server.request.duration")).Tags["http.request.method"]);
    }

    [Fact]
    public void Database_exchanges_are_db_client_operation_durations_named_by_system_and_operation()
    {
        var postgres = new PostgresRecord
        {
            Connection = Connection(ConnectionRole.Client),
            Role = ConnectionRole.Client,
            RequestTime = Start,
            ResponseTime = Start.AddMilliseconds(4),
            Command = PostgresCommand.Query,
            Statement = "SELECT secret FROM t WHERE id = 1",
        };
        var redis = new RedisRecord
        {
            Connection = Connection(ConnectionRole.Client),
            Role = ConnectionRole.Client,
            RequestTime = Start,
            ResponseTime = Start.AddMilliseconds(1),
            Command = "SET",
            Arguments = ["user:1:secret", "v"],
        };

        _metrics.Record(postgres);
        _metrics.Record(redis);

        var measurements = _collector.Of("db.client.operation.duration");
        Assert.Equal(2, measurements.Count);
        Assert.Equal("postgresql", measurements[0].Tags["db.system.name"]);
        Assert.Equal(postgres.Operation, measurements[0].Tags["db.operation.name"]);
        Assert.Equal(0.004, measurements[0].Value, precision: 6);
        Assert.Equal("redis", measurements[1].Tags["db.system.name"]);
        Assert.Equal(redis.Operation, measurements[1].Tags["db.operation.name"]);
        Assert.All(measurements, AssertLowCardinality);
    }

    [Fact]
    public void The_server_end_of_a_database_exchange_is_not_a_client_operation()
    {
        _metrics.Record(new RedisRecord
        {
            Connection = Connection(ConnectionRole.Server),
            Role = ConnectionRole.Server,
            RequestTime = Start,
            ResponseTime = Start.AddMilliseconds(1),
            Command = "GET",
            Arguments = ["k"],
        });

        Assert.Empty(_collector.Of("db.client.operation.duration"));
        var measurement = Assert.Single(_collector.Of("ebpf.protocol_tracing.request.duration"));
        Assert.Equal("server", measurement.Tags["role"]);
        Assert.Equal("redis", measurement.Tags["protocol"]);
    }

    [Fact]
    public void Grpc_calls_are_rpc_durations_in_milliseconds()
    {
        _metrics.Record(new GrpcRecord
        {
            Connection = Connection(ConnectionRole.Server),
            Role = ConnectionRole.Server,
            RequestTime = Start,
            ResponseTime = Start.AddMilliseconds(12),
            Path = "/greet.Greeter/SayHello",
            Service = "greet.Greeter",
            Method = "SayHello",
            StatusCode = 5,
        });

        var measurement = Assert.Single(_collector.Of("rpc.server.duration"));
        Assert.Equal("ms", measurement.Unit);
        Assert.Equal(12, measurement.Value, precision: 6);
        Assert.Equal("grpc", measurement.Tags["rpc.system"]);
        Assert.Equal("greet.Greeter", measurement.Tags["rpc.service"]);
        Assert.Equal("SayHello", measurement.Tags["rpc.method"]);
        Assert.Equal(5, measurement.Tags["rpc.grpc.status_code"]);
    }

    [Fact]
    public void Every_record_is_counted_by_protocol_and_records_without_a_response_have_no_duration()
    {
        var unanswered = Http(ConnectionRole.Server, "GET", "/", null, latencyMs: null);

        _metrics.Record(unanswered);
        _metrics.Record(Http(ConnectionRole.Server, "GET", "/", 200, latencyMs: 1));

        var counted = _collector.Of("ebpf.protocol_tracing.records");
        Assert.Equal(2, counted.Count);
        Assert.All(counted, m => Assert.Equal("http", m.Tags["protocol"]));
        Assert.Single(_collector.Of("http.server.request.duration"));
    }

    private static void AssertLowCardinality(CollectedMeasurement measurement)
    {
        foreach (var value in measurement.Tags.Values)
        {
            var text = value?.ToString() ?? "";
            Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("/", text, StringComparison.Ordinal);
        }
    }

    private static ConnectionInfo Connection(ConnectionRole role) => new()
    {
        Id = new ConnectionId(100, 5, 1),
        Process = new ProcessInfo(100, "app", 1),
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, role == ConnectionRole.Server ? 8080 : 40000),
        RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, role == ConnectionRole.Server ? 40000 : 5432),
        Role = role,
    };

    private static HttpRecord Http(ConnectionRole role, string method, string target, int? status, int? latencyMs) => new()
    {
        Connection = Connection(role),
        Role = role,
        RequestTime = Start,
        ResponseTime = latencyMs is { } ms ? Start.AddMilliseconds(ms) : null,
        Method = method,
        Target = target,
        Version = "HTTP/1.1",
        StatusCode = status,
    };
}
