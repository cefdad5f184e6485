namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>What a connection parser needs from the pipeline that feeds it.</summary>
public interface IParseContext
{
    /// <summary>The connection being parsed; may be replaced as more becomes known (e.g. the role).</summary>
    ConnectionInfo Connection { get; }

    /// <summary>When the byte at <paramref name="streamPosition"/> of a stream crossed the syscall boundary.</summary>
    DateTimeOffset TimeAt(StreamDirection direction, long streamPosition);

    /// <summary>Hands a finished record to the pipeline.</summary>
    void Emit(ProtocolRecord record);
}
