using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>Every fuzz target: one per built-in parser, and the tracker.</summary>
internal static class Targets
{
    public static IReadOnlyList<IFuzzTarget> All()
    {
        var targets = new List<IFuzzTarget>();
        foreach (var parser in BuiltInParsers.CreateAll())
        {
            targets.Add(new ParserTarget(parser));
        }

        targets.Add(new TrackerTarget());
        return targets;
    }

    public static IFuzzTarget? Find(string name)
    {
        foreach (var target in All())
        {
            if (string.Equals(target.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }
        }

        return null;
    }
}
