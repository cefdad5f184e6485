using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tests.Security;

/// <summary>Keeps every log line (message and exception text) at every level, for tests that inspect what was logged.</summary>
internal sealed class CapturingLogger : ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Lines.Add($"{logLevel} {eventId}: {formatter(state, exception)} {exception}");
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                Lines.Add($"  {key}={value}");
            }
        }
    }
}
