using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>The connection tracker's log messages.</summary>
internal static partial class TrackerLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "The {Protocol} parser threw on connection {Connection}; the connection is no longer traced. This is a bug in the parser: please report it with the exception")]
    public static partial void ParserThrew(ILogger logger, string protocol, ConnectionId connection, Exception exception);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Could not tell the kernel to stop sending connection {Connection}; its data keeps arriving and is dropped in user space")]
    public static partial void DisableFailed(ILogger logger, ConnectionId connection, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug,
        Message = "Connection {Connection} matched no protocol after {Bytes} bytes; it is no longer traced")]
    public static partial void NoProtocol(ILogger logger, ConnectionId connection, long bytes);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug,
        Message = "The {Protocol} parser stopped on connection {Connection} (the connection left the protocol); it is no longer traced")]
    public static partial void ParserStopped(ILogger logger, string protocol, ConnectionId connection);
}
