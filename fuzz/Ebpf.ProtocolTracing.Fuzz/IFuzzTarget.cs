namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>One fuzz target: runs one input and throws when the code under test misbehaves.</summary>
internal interface IFuzzTarget
{
    /// <summary>The name used on the command line and for the corpus folder.</summary>
    string Name { get; }

    /// <summary>Runs one input; any exception (including <see cref="FuzzFinding"/>) is a finding.</summary>
    /// <returns>The records the input made.</returns>
    int Run(ReadOnlySpan<byte> input);
}
