namespace Ebpf.ProtocolTracing.OpenTelemetry;

/// <summary>OpenTelemetry attribute names used on spans (https://opentelemetry.io/docs/specs/semconv/registry/attributes/).</summary>
internal static class SemanticConventions
{
    public const string HttpRequestMethod = "http.request.method";
    public const string HttpResponseStatusCode = "http.response.status_code";
    public const string UrlPath = "url.path";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ClientAddress = "client.address";
    public const string ClientPort = "client.port";
    public const string NetworkPeerAddress = "network.peer.address";
    public const string NetworkPeerPort = "network.peer.port";
    public const string NetworkProtocolName = "network.protocol.name";
    public const string NetworkProtocolVersion = "network.protocol.version";
    public const string NetworkTransport = "network.transport";
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbQueryText = "db.query.text";
    public const string RpcSystem = "rpc.system";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcGrpcStatusCode = "rpc.grpc.status_code";
    public const string ProcessPid = "process.pid";
    public const string ProcessExecutableName = "process.executable.name";
    public const string ProcessExecutablePath = "process.executable.path";
    public const string ProcessCommandLine = "process.command_line";
    public const string ContainerId = "container.id";
    public const string K8sPodUid = "k8s.pod.uid";
    public const string ErrorType = "error.type";
}
