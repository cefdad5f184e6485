using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Tests.Tracking;

public class ParserRegistryTests
{
    [Fact]
    public void DuplicateNamesAreRejectedNamingTheProtocol()
    {
        var error = Assert.Throws<ArgumentException>(() => new ParserRegistry([new Scored("dup", 0), new Scored("DUP", 0)]));
        Assert.Contains("dup", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void APortMappedToAnUnknownParserIsRejectedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new ParserRegistry([new Scored("known", 0)], new Dictionary<int, string> { [9000] = "missing" }));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("9000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LookupsFindTheRightParser()
    {
        var http = new Scored("http", 0, WellKnownProtocol.Http);
        var redis = new Scored("redis", 0, WellKnownProtocol.Redis);
        var custom = new Scored("custom", 0);
        var registry = new ParserRegistry([http, redis, custom], new Dictionary<int, string> { [9000] = "Custom" });

        Assert.Same(redis, registry.FindByName("REDIS"));
        Assert.Null(registry.FindByName("nats"));
        Assert.Same(http, registry.FindByKernelProtocol(WellKnownProtocol.Http));
        Assert.Null(registry.FindByKernelProtocol(WellKnownProtocol.Kafka));
        Assert.Null(registry.FindByKernelProtocol(WellKnownProtocol.None));
        Assert.Same(custom, registry.FindByPort(9000, 40000));
        Assert.Same(custom, registry.FindByPort(40000, 9000));
        Assert.Null(registry.FindByPort(40000, 40001));
        Assert.Equal((1UL << 1) | (1UL << 5), registry.KernelProtocolMask);
        Assert.Equal([9000], registry.ForcedPorts);
        Assert.Equal("custom", registry.ParserPorts[9000]);
        Assert.Equal([http, redis, custom], registry.Parsers);
    }

    [Fact]
    public void InferenceTakesTheBestScoreAboveTheThreshold()
    {
        var low = new Scored("low", 49);
        var mid = new Scored("mid", 70);
        var high = new Scored("high", 80);
        Assert.Same(high, new ParserRegistry([low, mid, high]).Infer("x"u8, StreamDirection.Egress, out var score));
        Assert.Equal(80, score);

        Assert.Null(new ParserRegistry([low]).Infer("x"u8, StreamDirection.Egress, out score));
        Assert.Equal(49, score);

        var first = new Scored("first", 60);
        var second = new Scored("second", 60);
        Assert.Same(first, new ParserRegistry([first, second]).Infer("x"u8, StreamDirection.Ingress, out _));
    }

    private sealed class Scored(string name, int score, WellKnownProtocol kernelProtocol = WellKnownProtocol.None) : IProtocolParser
    {
        public string Name => name;

        public WellKnownProtocol KernelProtocol => kernelProtocol;

        public int Infer(ReadOnlySpan<byte> data, StreamDirection direction) => score;

        public IConnectionParser CreateConnectionParser(IParseContext context) => throw new NotSupportedException();
    }
}
