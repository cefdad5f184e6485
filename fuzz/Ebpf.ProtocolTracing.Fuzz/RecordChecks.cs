namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>What every emitted record must survive: its text and summary members are read by sinks and the CLI.</summary>
internal static class RecordChecks
{
    public static void Exercise(ProtocolRecord record)
    {
        if (record is null)
        {
            throw new FuzzFinding("A parser emitted a null record.");
        }

        _ = record.ToString();
        _ = record.Operation;
        _ = record.Resource;
        _ = record.Outcome;
        _ = record.IsError;
        _ = record.GetHashCode();
    }
}
