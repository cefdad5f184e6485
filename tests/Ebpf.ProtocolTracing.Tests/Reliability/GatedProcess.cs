using System.Diagnostics;
using Ebpf.ProtocolTracing.Tests.Fixtures;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// A child process whose pid is known before it does anything: a shell waits for one line on stdin and
/// then execs the real program, which keeps the pid. So a tracer can be told the pid
/// (<see cref="ProtocolTracingOptions.ProcessIds"/>) and attached before the program's first syscall.
/// </summary>
internal sealed class GatedProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private GatedProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The pid, the same before and after the exec.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts the gate; <paramref name="fileName"/> runs only after <see cref="Release"/>.</summary>
    public static GatedProcess Start(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "read go && exec \"$@\"", "sh", fileName, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        return new GatedProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start sh"));
    }

    /// <summary>Lets the program run (it execs in place of the waiting shell).</summary>
    public void Release()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Close();
    }

    /// <summary>SIGKILL: no handler, no cleanup, no close() of its sockets.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for the exit and returns the exit code, stdout and stderr; fails the test when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<(int ExitCode, string StandardOutput, string StandardError)> WaitForExitAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"process {Pid} did not exit within {timeout.TotalSeconds} s");
        }

        return (_process.ExitCode, await _stdout.WaitAsync(TestTimeouts.Process), await _stderr.WaitAsync(TestTimeouts.Process));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
