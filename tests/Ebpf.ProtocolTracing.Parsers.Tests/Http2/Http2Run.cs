using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>Runs a conversation through the HTTP/2 parser with the shared driver; each delivery gets its own time.</summary>
internal static class Http2Run
{
    public static DateTimeOffset TimeOf(int delivery) => RecordingParseContext.Epoch.AddMilliseconds(10 * (delivery + 1));

    public static ParserDriver Driver(Http2ParserOptions? options = null, bool multiSegment = false) =>
        new(new Http2Parser(options ?? new Http2ParserOptions()), multiSegment);

    /// <summary>Delivers every piece whole, then completes.</summary>
    public static ParserDriver Whole((StreamDirection Direction, byte[] Bytes)[] conversation, Http2ParserOptions? options = null, bool complete = true)
    {
        var driver = Driver(options);
        for (int i = 0; i < conversation.Length; i++)
        {
            driver.Feed(conversation[i].Direction, conversation[i].Bytes, TimeOf(i));
        }

        if (complete)
        {
            driver.Complete();
        }

        return driver;
    }
}
