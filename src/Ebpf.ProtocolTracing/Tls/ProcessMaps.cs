using System.Globalization;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>Reads which files processes map executable, from <c>/proc/&lt;pid&gt;/maps</c>.</summary>
internal static class ProcessMaps
{
    /// <summary>The ids of the processes now running.</summary>
    public static List<int> ListProcesses()
    {
        var pids = new List<int>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // /proc unreadable: nothing to scan, the exec tracepoint still reports new programs.
        }

        return pids;
    }

    /// <summary>
    /// The files <paramref name="pid"/> maps executable (each once), or an empty list when the process is
    /// gone or its maps cannot be read.
    /// </summary>
    public static List<MappedFile> ReadExecutableFiles(int pid)
    {
        var files = new List<MappedFile>();
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/maps");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return files;
        }

        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (TryParseLine(line, out var file) && !files.Contains(file))
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>
    /// Parses one maps line ("start-end perms offset major:minor inode path") of an executable file
    /// mapping; false for anonymous, non-executable and deleted mappings.
    /// </summary>
    internal static bool TryParseLine(ReadOnlySpan<char> line, out MappedFile file)
    {
        file = default;
        Span<Range> fields = stackalloc Range[6];
        var count = line.SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (count < 6)
        {
            return false;
        }

        var permissions = line[fields[1]];
        if (permissions.Length < 3 || permissions[2] != 'x')
        {
            return false;
        }

        // The path is the rest of the line: it may contain spaces.
        var path = line[fields[5].Start..].Trim();
        if (path.Length == 0 || path[0] != '/' || path.EndsWith(" (deleted)", StringComparison.Ordinal))
        {
            return false;
        }

        var device = line[fields[3]];
        var colon = device.IndexOf(':');
        if (colon < 0
            || !ulong.TryParse(device[..colon], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var major)
            || !ulong.TryParse(device[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var minor)
            || !ulong.TryParse(line[fields[4]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            || inode == 0)
        {
            return false;
        }

        file = new MappedFile(path.ToString(), (major << 20) | minor, inode);
        return true;
    }
}
