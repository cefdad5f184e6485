using Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http;

namespace Ebpf.ProtocolTracing.Benchmarks.Http;

/// <summary>
/// A handler that ignores Kestrel's callbacks, so the benchmark measures Kestrel's framing and
/// validation rather than its header storage. A struct, so Kestrel's generic parser is specialised for
/// it and the calls are direct.
/// </summary>
internal readonly struct KestrelNoopHandler : IHttpRequestLineHandler, IHttpHeadersHandler
{
    public void OnStartLine(HttpVersionAndMethod versionAndMethod, TargetOffsetPathLength targetPath, Span<byte> startLine)
    {
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
    }

    public void OnHeadersComplete(bool endStream)
    {
    }

    public void OnStaticIndexedHeader(int index)
    {
    }

    public void OnStaticIndexedHeader(int index, ReadOnlySpan<byte> value)
    {
    }
}
