namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>Words the writers share.</summary>
internal static class RecordText
{
    public static string Role(ConnectionRole role) => role switch
    {
        ConnectionRole.Client => "client",
        ConnectionRole.Server => "server",
        _ => "unknown",
    };
}
