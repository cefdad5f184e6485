using Xunit.Abstractions;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>Writes log lines to the test's output, so a failing kernel test shows libbpf's log.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"[{logLevel}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has already finished (libbpf logged from a later test's load).
        }
    }
}
