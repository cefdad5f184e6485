namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>Scores how likely bytes are the start of AMQP 0-9-1 traffic.</summary>
internal static class AmqpInference
{
    /// <summary>The protocol header, or a whole frame with its frame-end octet.</summary>
    public const int Certain = 100;

    /// <summary>A method frame naming a known method, or a basic content header, whose end was not seen yet.</summary>
    public const int Likely = 70;

    private static readonly AmqpParserOptions Defaults = new();

    public static int Score(ReadOnlySpan<byte> data)
    {
        return AmqpFrameFinder.Judge(data, Defaults) switch
        {
            AmqpFrameFinder.Verdict.Certain => Certain,
            AmqpFrameFinder.Verdict.Plausible => Likely,
            _ => 0,
        };
    }
}
