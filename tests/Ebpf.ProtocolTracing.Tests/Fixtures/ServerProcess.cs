using System.ComponentModel;
using System.Diagnostics;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// The start and stop that the fixtures running a distribution's server binary share: start it with a
/// message that names the packages when the binary is missing, and on dispose kill its whole process tree,
/// wait for it, and remove its temporary directory.
/// </summary>
internal static class ServerProcess
{
    /// <summary>Starts <paramref name="start"/>.</summary>
    /// <param name="start">The server's command line.</param>
    /// <param name="directory">The server's temporary directory, removed when the binary is missing; <see langword="null"/> when it has none.</param>
    /// <param name="packages">The apt packages that install the binary, for the message when it is missing.</param>
    /// <exception cref="InvalidOperationException">The binary is not installed, or the process did not start.</exception>
    public static Process Start(ProcessStartInfo start, string? directory, string packages)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (Win32Exception e)
        {
            if (directory is not null)
            {
                Directory.Delete(directory, recursive: true);
            }

            throw new InvalidOperationException($"{start.FileName} is not installed: run scripts/install-prerequisites.sh (apt-get install {packages})", e);
        }
    }

    /// <summary>
    /// Kills <paramref name="process"/> and its children when still running, waits for it to exit (at most
    /// <see cref="TestTimeouts.Process"/>), then disposes it and removes <paramref name="directory"/> (if any)
    /// whether or not the wait succeeded.
    /// </summary>
    public static async ValueTask StopAsync(Process process, string? directory = null)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var timer = new CancellationTokenSource(TestTimeouts.Process);
                await process.WaitForExitAsync(timer.Token);
            }
        }
        finally
        {
            process.Dispose();
            if (directory is not null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
