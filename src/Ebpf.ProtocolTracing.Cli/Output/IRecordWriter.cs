namespace Ebpf.ProtocolTracing.Cli.Output;

/// <summary>Writes records to the terminal or a pipe as they arrive.</summary>
internal interface IRecordWriter : IDisposable
{
    void Write(ProtocolRecord record);

    void Flush();
}
