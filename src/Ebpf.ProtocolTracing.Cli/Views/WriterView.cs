using Ebpf.ProtocolTracing.Cli.Output;

namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>Each record written as it arrives: a table line or a JSON object (pipes, files, <c>--plain</c>, <c>--json</c>).</summary>
internal sealed class WriterView(IRecordWriter writer) : TraceView
{
    public override void Add(ProtocolRecord record) => writer.Write(record);

    public override void Finish(TracerStatistics statistics) => writer.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            writer.Dispose();
        base.Dispose(disposing);
    }
}
