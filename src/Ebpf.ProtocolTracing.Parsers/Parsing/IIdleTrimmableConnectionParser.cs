namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// A connection parser that keeps memory only to go faster (strings of the previous message to reuse,
/// grown queues) and can give it back while its connection is quiet.
/// </summary>
/// <remarks>
/// A tracer with thousands of idle keep-alive connections would otherwise pay that memory for each of
/// them. The caller calls <see cref="TrimIdle"/> on its own thread, between
/// <see cref="IConnectionParser.Parse"/> calls, once the connection has seen no bytes for a while.
/// </remarks>
public interface IIdleTrimmableConnectionParser
{
    /// <summary>
    /// The connection has been quiet for a while: release what is kept only for speed. Later bytes must
    /// be parsed into exactly the records they would have made without the call.
    /// </summary>
    void TrimIdle();
}
