using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Kafka;

/// <summary>Hands the connection parser a context whose connection has another role (server, or unknown as when joined mid-stream).</summary>
internal sealed class RoleOverrideParser(IProtocolParser inner, ConnectionRole role) : IProtocolParser
{
    public string Name => inner.Name;

    public WellKnownProtocol KernelProtocol => inner.KernelProtocol;

    public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => inner.Infer(data, direction);

    public IConnectionParser CreateConnectionParser(IParseContext context) =>
        inner.CreateConnectionParser(new Context(context, context.Connection with { Role = role }));

    private sealed class Context(IParseContext inner, ConnectionInfo connection) : IParseContext
    {
        public ConnectionInfo Connection => connection;

        public DateTimeOffset TimeAt(StreamDirection direction, long streamPosition) => inner.TimeAt(direction, streamPosition);

        public void Emit(ProtocolRecord record) => inner.Emit(record);
    }
}
