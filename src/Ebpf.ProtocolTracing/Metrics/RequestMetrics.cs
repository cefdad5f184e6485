using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>
/// Request metrics from traced traffic under OpenTelemetry semantic-convention names: HTTP server and
/// client request duration, database client operation duration, gRPC call duration, and for any other
/// protocol a generic duration from the record's summary members. Attributes are low-cardinality only:
/// never a target, a statement or a key.
/// </summary>
/// <remarks>Called on the event reader's thread for every record; allocates nothing when no one listens.</remarks>
internal sealed class RequestMetrics
{
    // The buckets OpenTelemetry advises for HTTP durations in seconds.
    private static readonly IReadOnlyList<double> SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly IReadOnlyList<double> MillisecondsBuckets = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Counter<long> _records;
    private readonly Histogram<double> _httpServer;
    private readonly Histogram<double> _httpClient;
    private readonly Histogram<double> _dbClient;
    private readonly Histogram<double> _rpcServer;
    private readonly Histogram<double> _rpcClient;
    private readonly Histogram<double> _other;

    public RequestMetrics(Meter meter)
    {
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        var milliseconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondsBuckets };
        _records = meter.CreateCounter<long>("ebpf.protocol_tracing.records", "{record}", "Records the parsers produced, by protocol.");
        _httpServer = meter.CreateHistogram("http.server.request.duration", "s", "Duration of HTTP server requests seen on the wire.", advice: seconds);
        _httpClient = meter.CreateHistogram("http.client.request.duration", "s", "Duration of HTTP client requests seen on the wire.", advice: seconds);
        _dbClient = meter.CreateHistogram("db.client.operation.duration", "s", "Duration of database operations seen on the wire.", advice: seconds);
        _rpcServer = meter.CreateHistogram("rpc.server.duration", "ms", "Duration of gRPC calls the traced process served.", advice: milliseconds);
        _rpcClient = meter.CreateHistogram("rpc.client.duration", "ms", "Duration of gRPC calls the traced process made.", advice: milliseconds);
        _other = meter.CreateHistogram("ebpf.protocol_tracing.request.duration", "s", "Duration of exchanges of protocols without a semantic convention.", advice: seconds);
    }

    /// <summary>Counts a record and, when it has a response, records its duration.</summary>
    public void Record(ProtocolRecord record)
    {
        if (_records.Enabled)
        {
            _records.Add(1, new KeyValuePair<string, object?>("protocol", record.Protocol));
        }

        if (record.Latency is not { } latency || latency < TimeSpan.Zero)
        {
            return;
        }

        switch (record)
        {
            case HttpRecord http:
                RecordHttp(http, latency);
                break;
            case GrpcRecord grpc:
                RecordGrpc(grpc, latency);
                break;
            default:
                // db.client.* describes what a client waited for; the server end of the same
                // exchange goes to the generic instrument so a traced pair is not counted twice.
                if (record.Role != ConnectionRole.Server && SemanticConventionValues.DbSystemName(record.Protocol) is { } dbSystem)
                {
                    RecordDatabase(record, dbSystem, latency);
                }
                else if (_other.Enabled)
                {
                    var tags = new TagList
                    {
                        { "protocol", record.Protocol },
                        { "operation", record.Operation },
                        { "role", RoleName(record.Role) },
                    };
                    if (record.IsError)
                    {
                        tags.Add("error.type", record.Outcome ?? "error");
                    }

                    _other.Record(latency.TotalSeconds, tags);
                }

                break;
        }
    }

    private void RecordHttp(HttpRecord http, TimeSpan latency)
    {
        var histogram = http.Role == ConnectionRole.Client ? _httpClient : _httpServer;
        if (!histogram.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", SemanticConventionValues.HttpRequestMethod(http.Method) },
            { "network.protocol.version", SemanticConventionValues.NetworkProtocolVersion(http.Version) },
        };
        if (http.StatusCode is { } status)
        {
            tags.Add("http.response.status_code", BoxedIntegers.Get(status));
            if (status >= 500 || (status >= 400 && http.Role == ConnectionRole.Client))
            {
                tags.Add("error.type", BoxedIntegers.GetText(status));
            }
        }

        if (ServerPort(http) is { } port)
        {
            tags.Add("server.port", BoxedIntegers.Get(port));
        }

        histogram.Record(latency.TotalSeconds, tags);
    }

    private void RecordGrpc(GrpcRecord grpc, TimeSpan latency)
    {
        var histogram = grpc.Role == ConnectionRole.Client ? _rpcClient : _rpcServer;
        if (!histogram.Enabled)
        {
            return;
        }

        // Service and method names come from the API's schema, so they are a bounded set.
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", grpc.Service },
            { "rpc.method", grpc.Method },
        };
        if (grpc.StatusCode is { } status)
        {
            tags.Add("rpc.grpc.status_code", BoxedIntegers.Get(status));
        }

        if (ServerPort(grpc) is { } port)
        {
            tags.Add("server.port", BoxedIntegers.Get(port));
        }

        histogram.Record(latency.TotalMilliseconds, tags);
    }

    private void RecordDatabase(ProtocolRecord record, string dbSystem, TimeSpan latency)
    {
        if (!_dbClient.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "db.system.name", dbSystem },
            { "db.operation.name", record.Operation },
        };
        if (record.IsError)
        {
            tags.Add("error.type", record.Outcome ?? "error");
        }

        if (ServerPort(record) is { } port)
        {
            tags.Add("server.port", BoxedIntegers.Get(port));
        }

        _dbClient.Record(latency.TotalSeconds, tags);
    }

    /// <summary>The server's port: the local one when the traced process served, else the peer's.</summary>
    private static int? ServerPort(ProtocolRecord record)
    {
        var endPoint = record.Role == ConnectionRole.Server ? record.LocalEndPoint : record.RemoteEndPoint;
        return endPoint?.Port;
    }

    private static string RoleName(ConnectionRole role) => role switch
    {
        ConnectionRole.Client => "client",
        ConnectionRole.Server => "server",
        _ => "unknown",
    };
}
