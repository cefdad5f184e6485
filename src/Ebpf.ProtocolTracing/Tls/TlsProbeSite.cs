namespace Ebpf.ProtocolTracing.Tls;

/// <summary>One place in a file to put a TLS function's probes.</summary>
/// <param name="Name">What is probed there, for logs (a function, or the body two functions share).</param>
/// <param name="FileOffset">The file offset of the probed instruction.</param>
/// <param name="Probe">The BPF programs to attach there.</param>
internal readonly record struct TlsProbeSite(string Name, long FileOffset, TlsFunctionProbe Probe);
