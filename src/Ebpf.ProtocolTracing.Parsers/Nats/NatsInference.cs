namespace Ebpf.ProtocolTracing.Nats;

/// <summary>Scores how likely bytes are the start of NATS traffic.</summary>
internal static class NatsInference
{
    /// <summary><c>INFO {</c> or <c>CONNECT {</c>: how every connection begins.</summary>
    public const int Certain = 100;

    /// <summary>A whole, valid PUB/HPUB/SUB/UNSUB/MSG/HMSG line.</summary>
    public const int Likely = 80;

    /// <summary>An error line, or a message operation whose line is not complete yet.</summary>
    public const int Plausible = 60;

    /// <summary><c>+OK</c>, or <c>PING</c>/<c>PONG</c> with nothing after them: RESP (inline) looks the same, so they alone do not decide.</summary>
    public const int Possible = 30;

    private static readonly NatsParserOptions Defaults = new();

    public static int Score(ReadOnlySpan<byte> data)
    {
        if (NatsLineParser.Identify(data, out int nameLength) is not { } operation || nameLength == data.Length)
        {
            return 0;
        }

        byte separator = data[nameLength];
        switch (operation)
        {
            case NatsOperation.Info:
            case NatsOperation.Connect:
                return separator == (byte)' ' && data.Length > nameLength + 1 && data[nameLength + 1] == (byte)'{' ? Certain : 0;
            case NatsOperation.Ping:
            case NatsOperation.Pong:
                if (separator != (byte)'\r')
                {
                    return 0;
                }

                // Judge by the line after the keep-alive when there is one.
                int next = data.IndexOf((byte)'\n') + 1;
                return next > 0 && next < data.Length ? Math.Max(Possible, Score(data[next..])) : Possible;
            case NatsOperation.Ok:
                return separator == (byte)'\r' ? Possible : 0;
            case NatsOperation.Err:
                return separator == (byte)' ' ? Plausible : 0;
        }

        if (separator is not ((byte)' ' or (byte)'\t'))
        {
            return 0;
        }

        int newline = data.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return Plausible;
        }

        var line = data[..newline];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return NatsLineParser.TryParse(line, Defaults, out _) ? Likely : 0;
    }
}
