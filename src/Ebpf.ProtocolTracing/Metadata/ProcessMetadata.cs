namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>What <c>/proc</c> tells about a process beyond its pid and name.</summary>
/// <param name="CommandLine">The arguments joined by spaces; <see langword="null"/> when unreadable.</param>
/// <param name="ExecutablePath">The target of <c>/proc/&lt;pid&gt;/exe</c>; <see langword="null"/> when unreadable.</param>
/// <param name="Container">The container from the cgroup path; <see langword="null"/> when none.</param>
internal sealed record ProcessMetadata(string? CommandLine, string? ExecutablePath, ContainerInfo? Container)
{
    /// <summary>Nothing known (the process exited, or it is not the process the event named).</summary>
    public static ProcessMetadata None { get; } = new(null, null, null);
}
