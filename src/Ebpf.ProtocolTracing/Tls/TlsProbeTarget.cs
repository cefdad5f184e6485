namespace Ebpf.ProtocolTracing.Tls;

/// <summary>A file (shared library or executable) with TLS functions to probe.</summary>
/// <param name="File">The file, as a process maps it.</param>
/// <param name="OpenPath">The path to open it by from the tracer (through the process's root when needed).</param>
/// <param name="Sites">Where its probes go (see <see cref="OpenSslProbePlacement"/>).</param>
internal sealed record TlsProbeTarget(MappedFile File, string OpenPath, IReadOnlyList<TlsProbeSite> Sites);
