namespace Ebpf.ProtocolTracing;

/// <summary>The container a traced process runs in, as its cgroup path tells it.</summary>
/// <param name="Id">The container id (64 hex digits for docker, containerd and CRI-O).</param>
/// <param name="Runtime">The runtime the cgroup layout belongs to: <c>docker</c>, <c>containerd</c>, <c>cri-o</c> or <c>unknown</c>.</param>
public sealed record ContainerInfo(string Id, string Runtime)
{
    /// <summary>The Kubernetes pod UID (with dashes) when the container runs under <c>kubepods</c>; otherwise <see langword="null"/>.</summary>
    public string? PodUid { get; init; }
}
