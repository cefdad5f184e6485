namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// A protocol: a stateless singleton that recognises the protocol's bytes and creates the
/// per-connection state (<see cref="IConnectionParser"/>) that turns them into records.
/// </summary>
/// <remarks>
/// Built-in parsers and a host's own parsers (registered with <c>AddParser&lt;T&gt;()</c>) are used the
/// same way. Implementations must be thread-safe; the per-connection parsers they create are used by
/// one thread at a time.
/// </remarks>
public interface IProtocolParser
{
    /// <summary>Short lowercase protocol name, e.g. <c>http</c>; unique among the registered parsers.</summary>
    string Name { get; }

    /// <summary>The kernel-side guess this parser handles, or <see cref="WellKnownProtocol.None"/>.</summary>
    WellKnownProtocol KernelProtocol { get; }

    /// <summary>
    /// Scores how likely <paramref name="data"/>, the first bytes seen in one direction of a connection
    /// (or the first bytes after a gap), are this protocol.
    /// </summary>
    /// <returns>0 when it certainly is not, 100 when it certainly is; values between are a guess.</returns>
    int Infer(ReadOnlySpan<byte> data, StreamDirection direction);

    /// <summary>Creates the state for one connection.</summary>
    /// <param name="context">Where the connection parser reads connection facts and timestamps from and emits records to.</param>
    IConnectionParser CreateConnectionParser(IParseContext context);
}
