namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>An invariant a target checks was broken: the input is a finding even though nothing threw.</summary>
internal sealed class FuzzFinding : Exception
{
    public FuzzFinding(string message)
        : base(message)
    {
    }

    public FuzzFinding()
    {
    }

    public FuzzFinding(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
