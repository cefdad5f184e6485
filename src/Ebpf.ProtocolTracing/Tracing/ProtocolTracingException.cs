namespace Ebpf.ProtocolTracing;

/// <summary>Tracing cannot start or go on on this host. The message says what happened and what to do.</summary>
public sealed class ProtocolTracingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolTracingException() { }

    /// <summary>Creates the exception with a message that says what happened and what to do.</summary>
    public ProtocolTracingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public ProtocolTracingException(string message, Exception innerException) : base(message, innerException) { }
}
