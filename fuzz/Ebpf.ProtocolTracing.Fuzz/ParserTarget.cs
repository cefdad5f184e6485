using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>One built-in parser, fed one connection's deliveries and gaps decoded from the input (<see cref="ParserInput"/>).</summary>
internal sealed class ParserTarget : IFuzzTarget
{
    private readonly IProtocolParser _parser;

    public ParserTarget(IProtocolParser parser)
    {
        _parser = parser;
    }

    public string Name => _parser.Name;

    public int Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return 0;
        }

        var budget = AllocationBudget.Start(input.Length);
        var context = new FuzzParseContext();
        var feeder = new StreamFeeder(_parser.CreateConnectionParser(context), (input[0] & ParserInput.MultiSegmentFlag) != 0);
        int offset = 1;
        bool first = true;
        while (ParserInput.TryRead(input, ref offset, out var kind, out var direction, out var data, out var gapLength))
        {
            if (kind == ParserInput.OpKind.Gap)
            {
                feeder.Gap(direction, gapLength);
                continue;
            }

            if (first)
            {
                // The tracker asks every parser to score the first bytes; that must not throw either.
                _ = _parser.Infer(data, direction);
                first = false;
            }

            feeder.Deliver(direction, data);
        }

        feeder.Complete();
        budget.Check(Name);
        return context.Records;
    }
}
