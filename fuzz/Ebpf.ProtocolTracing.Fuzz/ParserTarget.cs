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
        var multiSegment = (input[0] & ParserInput.MultiSegmentFlag) != 0;
        var first = Feed(input, multiSegment);
        budget.Check(Name);

        // The same bytes cut into other segments must make the same records: a parser that reads across
        // segment boundaries differently from within one span has a bug either way.
        var second = Feed(input, !multiSegment);
        for (int i = 0; i < Math.Max(first.Rendered.Count, second.Rendered.Count); i++)
        {
            var a = i < first.Rendered.Count ? first.Rendered[i] : "(none)";
            var b = i < second.Rendered.Count ? second.Rendered[i] : "(none)";
            if (a != b)
            {
                throw new FuzzFinding($"{Name}: record {i} differs between {(multiSegment ? "segmented" : "contiguous")} and {(multiSegment ? "contiguous" : "segmented")} delivery:\n  {a}\n  {b}");
            }
        }

        if (first.Records != second.Records)
        {
            throw new FuzzFinding($"{Name}: {first.Records} records from one delivery shape, {second.Records} from the other.");
        }

        return first.Records;
    }

    private FuzzParseContext Feed(ReadOnlySpan<byte> input, bool multiSegment)
    {
        var context = new FuzzParseContext();
        var feeder = new StreamFeeder(_parser.CreateConnectionParser(context), multiSegment);
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
        return context;
    }
}
