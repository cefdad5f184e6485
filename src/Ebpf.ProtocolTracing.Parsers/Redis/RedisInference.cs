namespace Ebpf.ProtocolTracing.Redis;

/// <summary>Scores how likely bytes are the start of RESP traffic (a command array or a reply).</summary>
internal static class RedisInference
{
    /// <summary>A command array whose first string is a known command name.</summary>
    public const int Certain = 100;

    /// <summary>The shape <c>*N\r\n$M\r\n</c> of a command array, name not known or not complete.</summary>
    public const int Likely = 80;

    /// <summary>A complete, well-formed reply header line.</summary>
    public const int Plausible = 60;

    /// <summary>A start that may still become RESP.</summary>
    public const int Possible = 20;

    public static int Score(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !RespTypes.IsTypeByte(data[0]))
        {
            return 0;
        }

        var header = RedisFrameFinder.CheckHeader(data, strict: true, out int headerLength);
        if (header == RedisFrameFinder.Shape.Incomplete)
        {
            return Possible;
        }

        if (header == RedisFrameFinder.Shape.Invalid)
        {
            return 0;
        }

        if (data[0] != (byte)'*')
        {
            return Plausible;
        }

        var command = RedisFrameFinder.CheckCommand(data, out _);
        return command switch
        {
            RedisFrameFinder.Shape.Valid => Certain,
            RedisFrameFinder.Shape.Incomplete when data.Length > headerLength && data[headerLength] == (byte)'$' => Likely,
            RedisFrameFinder.Shape.Incomplete => Plausible,
            _ => Plausible,
        };
    }
}
