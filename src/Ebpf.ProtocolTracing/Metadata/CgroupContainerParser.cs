using System.Buffers;

namespace Ebpf.ProtocolTracing.Metadata;

/// <summary>
/// Finds the container and Kubernetes pod of a process in its <c>/proc/&lt;pid&gt;/cgroup</c> text, for
/// the layouts of docker, containerd, CRI-O and podman, with the systemd or cgroupfs driver, on cgroup
/// v1 and v2.
/// </summary>
/// <remarks>
/// Layouts (see https://docs.kernel.org/admin-guide/cgroup-v2.html and the runtimes' cgroup drivers):
/// <list type="bullet">
/// <item><c>0::/system.slice/docker-&lt;id&gt;.scope</c> (docker, systemd driver) and <c>12:memory:/docker/&lt;id&gt;</c> (cgroupfs)</item>
/// <item><c>/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid with _&gt;.slice/cri-containerd-&lt;id&gt;.scope</c></item>
/// <item><c>/kubepods.slice/…/crio-&lt;id&gt;.scope</c> (CRI-O) and <c>/kubepods/besteffort/pod&lt;uid&gt;/&lt;id&gt;</c> (cgroupfs)</item>
/// </list>
/// The id is the last path segment holding 64 hex digits, so nested layouts resolve to the innermost container.
/// </remarks>
public static class CgroupContainerParser
{
    private const int ContainerIdLength = 64;

    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    // systemd slices spell the UID's dashes as underscores.
    private static readonly SearchValues<char> PodUidCharacters = SearchValues.Create("0123456789abcdef-_");

    /// <summary>Parses the whole file: the cgroup v2 line (<c>0::</c>) first, then every v1 line.</summary>
    /// <param name="cgroupFile">The text of <c>/proc/&lt;pid&gt;/cgroup</c>.</param>
    /// <returns>The container, or <see langword="null"/> for a process outside any recognised container.</returns>
    public static ContainerInfo? ParseFile(ReadOnlySpan<char> cgroupFile)
    {
        ContainerInfo? fromV1 = null;
        foreach (var range in cgroupFile.Split('\n'))
        {
            var line = cgroupFile[range];
            var path = PathOf(line, out var isV2);
            if (path.IsEmpty)
            {
                continue;
            }

            var container = ParsePath(path);
            if (container is null)
            {
                continue;
            }

            if (isV2)
            {
                return container;
            }

            fromV1 ??= container;
        }

        return fromV1;
    }

    /// <summary>Parses one cgroup path, e.g. <c>/system.slice/docker-&lt;id&gt;.scope</c>.</summary>
    /// <param name="path">The path (the third field of a <c>/proc/&lt;pid&gt;/cgroup</c> line).</param>
    /// <returns>The container, or <see langword="null"/> when no segment holds a container id.</returns>
    public static ContainerInfo? ParsePath(ReadOnlySpan<char> path)
    {
        string? id = null;
        string? runtime = null;
        string? podUid = null;
        var underKubernetes = false;
        var underDocker = false;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.StartsWith("kubepods", StringComparison.Ordinal))
            {
                underKubernetes = true;
            }

            if (segment.SequenceEqual("docker") || segment.SequenceEqual("docker.service"))
            {
                underDocker = true;
            }

            if (underKubernetes && PodUidOf(segment) is { } uid)
            {
                podUid = uid;
            }

            if (ContainerIdOf(segment, out var prefix) is { } containerId)
            {
                id = containerId;
                runtime = RuntimeOf(prefix, underDocker);
            }
        }

        return id is null ? null : new ContainerInfo(id, runtime!) { PodUid = underKubernetes ? podUid : null };
    }

    private static ReadOnlySpan<char> PathOf(ReadOnlySpan<char> line, out bool isV2)
    {
        // hierarchy-ID:controller-list:cgroup-path; v2 has ID 0 and an empty controller list.
        isV2 = false;
        var first = line.IndexOf(':');
        if (first < 0)
        {
            return default;
        }

        var second = line[(first + 1)..].IndexOf(':');
        if (second < 0)
        {
            return default;
        }

        isV2 = line[..first].SequenceEqual("0") && second == 0;
        return line[(first + second + 2)..].TrimEnd('\r');
    }

    /// <summary>The 64-hex id of <c>&lt;id&gt;</c>, <c>&lt;prefix&gt;-&lt;id&gt;.scope</c> or <c>&lt;prefix&gt;-&lt;id&gt;</c>.</summary>
    private static string? ContainerIdOf(ReadOnlySpan<char> segment, out ReadOnlySpan<char> prefix)
    {
        prefix = default;
        if (segment.EndsWith(".scope", StringComparison.Ordinal))
        {
            segment = segment[..^".scope".Length];
        }

        if (segment.Length < ContainerIdLength)
        {
            return null;
        }

        var candidate = segment[^ContainerIdLength..];
        if (candidate.ContainsAnyExcept(LowerHexDigits))
        {
            return null;
        }

        if (segment.Length > ContainerIdLength)
        {
            if (segment[^(ContainerIdLength + 1)] != '-')
            {
                return null;
            }

            prefix = segment[..^(ContainerIdLength + 1)];

            // CRI-O's monitor process sits in crio-conmon-<id>.scope: it is not the container.
            if (prefix.EndsWith("conmon", StringComparison.Ordinal))
            {
                return null;
            }
        }

        return candidate.ToString();
    }

    private static string RuntimeOf(ReadOnlySpan<char> prefix, bool underDocker) => prefix switch
    {
        "docker" => "docker",
        "cri-containerd" or "containerd" or "nerdctl" => "containerd",
        "crio" => "cri-o",
        "libpod" => "podman",
        _ when prefix.IsEmpty && underDocker => "docker",
        _ => "unknown",
    };

    /// <summary>The pod UID (with dashes) of <c>pod&lt;uid&gt;</c> or <c>kubepods-…-pod&lt;uid_with_underscores&gt;.slice</c>.</summary>
    private static string? PodUidOf(ReadOnlySpan<char> segment)
    {
        if (segment.EndsWith(".slice", StringComparison.Ordinal))
        {
            segment = segment[..^".slice".Length];
        }

        var start = segment.LastIndexOf("pod", StringComparison.Ordinal);
        if (start < 0 || (start > 0 && segment[start - 1] != '-'))
        {
            return null;
        }

        var uid = segment[(start + 3)..];
        if (uid.Length != 36 || uid.ContainsAnyExcept(PodUidCharacters))
        {
            return null;
        }

        return uid.ToString().Replace('_', '-');
    }
}
