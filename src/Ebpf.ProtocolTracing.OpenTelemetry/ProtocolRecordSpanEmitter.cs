using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Metrics;
using static Ebpf.ProtocolTracing.OpenTelemetry.SemanticConventions;

namespace Ebpf.ProtocolTracing.OpenTelemetry;

/// <summary>
/// Turns a <see cref="ProtocolRecord"/> into a finished span of the
/// <see cref="ProtocolTracingInstrumentation.ActivitySourceName"/> source: kind from the role, start and
/// end from the request and response times, semantic-convention attributes for HTTP, databases and
/// gRPC, and the process and container that made the exchange.
/// </summary>
/// <remarks>
/// Registered by <c>AddProtocolTracing()</c> on a <c>TracerProviderBuilder</c>, which feeds it every
/// record. Hosts that read the records themselves can call <see cref="Emit"/> with each one instead.
/// Spans are roots: the exchange happened in another process, so nothing in this one is its parent.
/// </remarks>
public sealed class ProtocolRecordSpanEmitter : IDisposable
{
    private readonly ActivitySource _source = new(ProtocolTracingInstrumentation.ActivitySourceName);
    private readonly ProtocolTracingSpanOptions _options;
    private readonly int _ownPid = Environment.ProcessId;

    /// <summary>Creates an emitter.</summary>
    /// <param name="options">What the spans carry; default: <see cref="ProtocolTracingSpanOptions"/>'s defaults.</param>
    public ProtocolRecordSpanEmitter(ProtocolTracingSpanOptions? options = null) => _options = options ?? new ProtocolTracingSpanOptions();

    /// <summary>Makes and ends the span of <paramref name="record"/>.</summary>
    /// <param name="record">The exchange.</param>
    /// <returns>The stopped span, or <see langword="null"/> when no listener samples it or the options leave the record out.</returns>
    public Activity? Emit(ProtocolRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_source.HasListeners()
            || (!_options.IncludeOwnProcess && record.Pid == _ownPid)
            || (_options.Filter is { } filter && !filter(record)))
        {
            return null;
        }

        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            var activity = _source.StartActivity(SpanName(record), KindOf(record.Role), parentContext: default, startTime: record.RequestTime);
            if (activity is null)
            {
                return null;
            }

            if (activity.IsAllDataRequested)
            {
                AddAttributes(activity, record);
            }

            activity.SetEndTime((record.ResponseTime ?? record.RequestTime).UtcDateTime);
            activity.Stop();
            return activity;
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    private static ActivityKind KindOf(ConnectionRole role) => role switch
    {
        ConnectionRole.Client => ActivityKind.Client,
        ConnectionRole.Server => ActivityKind.Server,
        _ => ActivityKind.Internal,
    };

    // Low-cardinality names, as the conventions ask: never the target or the statement.
    private static string SpanName(ProtocolRecord record) => record switch
    {
        HttpRecord http => SemanticConventionValues.HttpRequestMethod(http.Method) is "_OTHER" ? "HTTP" : http.Method!,
        GrpcRecord { Service: { } service, Method: { } method } => service + "/" + method,
        _ when DbSystemOf(record) is { } => record.Operation,
        _ => record.Protocol + " " + record.Operation,
    };

    private static string? DbSystemOf(ProtocolRecord record) => SemanticConventionValues.DbSystemName(record.Protocol);

    private void AddAttributes(Activity activity, ProtocolRecord record)
    {
        activity.SetTag(NetworkProtocolName, record.Protocol);
        activity.SetTag(NetworkTransport, record.Connection.Transport switch
        {
            TransportProtocol.Tcp => "tcp",
            TransportProtocol.Udp => "udp",
            _ => null,
        });
        AddEndpoints(activity, record);
        AddProcess(activity, record.Connection.Process);

        switch (record)
        {
            case HttpRecord http:
                AddHttp(activity, http);
                break;
            case GrpcRecord grpc:
                AddGrpc(activity, grpc);
                break;
            default:
                if (DbSystemOf(record) is { } dbSystem)
                {
                    activity.SetTag(DbSystemName, dbSystem);
                    activity.SetTag(DbOperationName, record.Operation);
                    if (_options.IncludeQueryText && record.Resource is { } text)
                    {
                        activity.SetTag(DbQueryText, text);
                    }
                }

                break;
        }

        if (record.IsError)
        {
            activity.SetTag(ErrorType, record.Outcome ?? "error");
            activity.SetStatus(ActivityStatusCode.Error, record.Outcome);
        }
    }

    private static void AddEndpoints(Activity activity, ProtocolRecord record)
    {
        var (server, client) = record.Role == ConnectionRole.Server
            ? (record.LocalEndPoint, record.RemoteEndPoint)
            : (record.RemoteEndPoint, record.LocalEndPoint);
        if (server is not null)
        {
            activity.SetTag(ServerAddress, Address(server));
            activity.SetTag(ServerPort, server.Port);
        }

        if (record.Role == ConnectionRole.Server && client is not null)
        {
            activity.SetTag(ClientAddress, Address(client));
            activity.SetTag(ClientPort, client.Port);
        }

        if (record.RemoteEndPoint is { } peer)
        {
            activity.SetTag(NetworkPeerAddress, Address(peer));
            activity.SetTag(NetworkPeerPort, peer.Port);
        }
    }

    private static string Address(IPEndPoint endPoint) => endPoint.Address.IsIPv4MappedToIPv6
        ? endPoint.Address.MapToIPv4().ToString()
        : endPoint.Address.ToString();

    private static void AddProcess(Activity activity, ProcessInfo process)
    {
        activity.SetTag(ProcessPid, process.Pid);
        if (process.Name.Length != 0)
        {
            activity.SetTag(ProcessExecutableName, process.Name);
        }

        activity.SetTag(ProcessExecutablePath, process.ExecutablePath);
        if (process.Container is { } container)
        {
            activity.SetTag(ContainerId, container.Id);
            activity.SetTag(K8sPodUid, container.PodUid);
        }
    }

    private static void AddHttp(Activity activity, HttpRecord http)
    {
        activity.SetTag(HttpRequestMethod, SemanticConventionValues.HttpRequestMethod(http.Method));
        if (http.Target is { } target)
        {
            // The query is left out: it often carries tokens and ids.
            var query = target.IndexOf('?', StringComparison.Ordinal);
            activity.SetTag(UrlPath, query < 0 ? target : target[..query]);
        }

        if (http.StatusCode is { } status)
        {
            activity.SetTag(HttpResponseStatusCode, status);
            if (status >= 500 || (status >= 400 && http.Role == ConnectionRole.Client))
            {
                activity.SetTag(ErrorType, status.ToString(CultureInfo.InvariantCulture));
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        activity.SetTag(NetworkProtocolVersion, SemanticConventionValues.NetworkProtocolVersion(http.Version));
    }

    private static void AddGrpc(Activity activity, GrpcRecord grpc)
    {
        activity.SetTag(RpcSystem, "grpc");
        activity.SetTag(RpcService, grpc.Service);
        activity.SetTag(RpcMethod, grpc.Method);
        if (grpc.StatusCode is { } status)
        {
            activity.SetTag(RpcGrpcStatusCode, status);
        }
    }
}
