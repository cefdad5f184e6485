using System.Globalization;
using Ebpf.ProtocolTracing.Interop;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>
/// Checks, before libbpf is asked to do anything, what the host must offer for the probes to load, so a
/// failure says what to do instead of surfacing as a bare EPERM or ENOENT later.
/// </summary>
internal static partial class KernelPreflight
{
    public const string BtfPath = "/sys/kernel/btf/vmlinux";
    public const string TracefsPath = "/sys/kernel/tracing";
    private const string DebugfsTracingPath = "/sys/kernel/debug/tracing";

    private const int CapDacOverride = 1;
    private const int CapDacReadSearch = 2;
    private const int CapSysAdmin = 21;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;

    /// <summary>The process may load BPF programs and open perf events: CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN.</summary>
    public static void CheckPrivileges()
    {
        var effective = ReadEffectiveCapabilities();
        if (effective is not { } caps || Has(caps, CapSysAdmin) || (Has(caps, CapBpf) && Has(caps, CapPerfmon)))
        {
            // Unknown capabilities (no /proc): let the kernel decide and report its own error.
            return;
        }

        var program = Environment.ProcessPath ?? "<your program>";
        throw new ProtocolTracingException(
            "Loading BPF programs needs CAP_BPF and CAP_PERFMON (or root); this process has " +
            $"{(Has(caps, CapBpf) ? "CAP_BPF but not CAP_PERFMON" : Has(caps, CapPerfmon) ? "CAP_PERFMON but not CAP_BPF" : "neither")}. " +
            $"Run as root or grant them, with CAP_DAC_READ_SEARCH for tracefs when not root: setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep {program} " +
            "(for a container: --cap-add BPF --cap-add PERFMON --cap-add DAC_READ_SEARCH, or securityContext.capabilities.add: [BPF, PERFMON, DAC_READ_SEARCH]).");
    }

    /// <summary>The kernel describes its types with BTF, which the CO-RE programs are relocated against.</summary>
    public static void CheckBtf()
    {
        if (!File.Exists(BtfPath))
        {
            throw new ProtocolTracingException(
                $"{BtfPath} is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF, which the BPF programs need " +
                "to adapt to the kernel's data structures. Use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions' kernels since 2020).");
        }
    }

    /// <summary>
    /// The oldest kernel the BPF programs load on: 6.2, for the <c>bpf_rdonly_cast</c> kfunc of the fd → socket
    /// walk (task storage from tracing programs and the BTF raw tracepoint <c>sys_exit</c> are older).
    /// </summary>
    internal static readonly Version MinimumKernel = new(6, 2);

    /// <summary>Refuses a kernel older than <see cref="MinimumKernel"/> with a message that says so, before the verifier would refuse it less clearly.</summary>
    public static void CheckKernelVersion()
    {
        if (ReadKernelVersion() is { } version && TooOldMessage(version) is { } message)
        {
            throw new ProtocolTracingException(message);
        }
    }

    /// <summary>Why <paramref name="version"/> cannot run the programs, or null when it can.</summary>
    internal static string? TooOldMessage(Version version)
        => version >= MinimumKernel
            ? null
            : $"This kernel ({version}) is older than {MinimumKernel}: the BPF programs need the bpf_rdonly_cast kfunc (6.2) and task storage " +
              $"in tracing programs (5.11). Run the tracer on Linux {MinimumKernel} or later.";

    /// <summary>
    /// Tracepoints are attached by the ids tracefs publishes, so tracefs must be mounted. When it is not
    /// and this process may mount, it is mounted here; otherwise the message says what to run.
    /// </summary>
    public static void EnsureTracefs(ILogger logger)
    {
        if (Directory.Exists(Path.Combine(TracefsPath, "events")) || Directory.Exists(Path.Combine(DebugfsTracingPath, "events")))
        {
            return;
        }

        if (IsTracefsMounted() && ReadEffectiveCapabilities() is { } caps && !Has(caps, CapDacReadSearch) && !Has(caps, CapDacOverride))
        {
            // tracefs is there, but its root directory is mode 0700 (root only): a non-root process
            // with CAP_BPF and CAP_PERFMON still cannot look up the tracepoints' ids without this.
            var program = Environment.ProcessPath ?? "<your program>";
            throw new ProtocolTracingException(
                $"tracefs is mounted at {TracefsPath}, but this process (uid {GetUid()}) cannot read it: " +
                "its directory is readable by root only, and the tracepoints are found through it. Run as root or also grant CAP_DAC_READ_SEARCH: " +
                $"setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep {program} (for a container: --cap-add DAC_READ_SEARCH).");
        }

        var mountFailure = TryMountTracefs();
        if (mountFailure is null && Directory.Exists(Path.Combine(TracefsPath, "events")))
        {
            LogMountedTracefs(logger, TracefsPath);
            return;
        }

        throw new ProtocolTracingException(
            $"tracefs is not mounted (no {TracefsPath}/events), and the tracepoints are found through it. " +
            $"Mount it as root: `mount -t tracefs tracefs {TracefsPath}` (or add `tracefs {TracefsPath} tracefs defaults 0 0` to /etc/fstab; " +
            $"in a container, mount the host's {TracefsPath} into it)." +
            (mountFailure is null ? string.Empty : $" Mounting it from here failed: {mountFailure}."));
    }

    private static string? TryMountTracefs()
    {
        if (ReadEffectiveCapabilities() is { } caps && !Has(caps, CapSysAdmin))
        {
            return "this process lacks CAP_SYS_ADMIN";
        }

        unsafe
        {
            return LibC.Mount("tracefs", TracefsPath, "tracefs", 0, null) == 0
                ? null
                : NativeError.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Whether /proc/self/mounts lists a tracefs at <see cref="TracefsPath"/> or under debugfs.</summary>
    private static bool IsTracefsMounted()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mounts"))
            {
                var fields = line.Split(' ');
                if (fields.Length > 2 && fields[2] == "tracefs" && (fields[1] == TracefsPath || fields[1] == DebugfsTracingPath))
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }

    private static string GetUid()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    return line["Uid:".Length..].Trim().Split('\t', ' ')[0];
                }
            }
        }
        catch (IOException)
        {
        }

        return "unknown";
    }

    private static bool Has(ulong capabilities, int capability) => (capabilities & (1UL << capability)) != 0;

    private static ulong? ReadEffectiveCapabilities()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan("CapEff:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
                {
                    return caps;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The running kernel's major.minor (from /proc/sys/kernel/osrelease, e.g. "6.1.0-18-amd64").</summary>
    internal static Version? ReadKernelVersion()
    {
        try
        {
            return ParseKernelRelease(File.ReadAllText("/proc/sys/kernel/osrelease"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The major.minor at the start of a kernel release string, or <see langword="null"/>.</summary>
    internal static Version? ParseKernelRelease(string release)
    {
        var match = KernelReleasePattern().Match(release);
        return match.Success
            ? new Version(int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture))
            : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(\d+)\.(\d+)")]
    private static partial System.Text.RegularExpressions.Regex KernelReleasePattern();

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "tracefs was not mounted; mounted it at {Path}")]
    private static partial void LogMountedTracefs(ILogger logger, string path);
}
