namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// Shrinks a failing input: removes ever smaller runs of bytes while the target still fails the same
/// way (same exception type and first message line up to its first colon).
/// </summary>
internal static class Minimizer
{
    public static byte[] Minimize(IFuzzTarget target, byte[] input)
    {
        var signature = Failure(target, input) ?? throw new ArgumentException("The input does not fail; nothing to minimize.", nameof(input));
        var current = input;
        for (int chunk = Math.Max(1, current.Length / 2); chunk >= 1; chunk /= 2)
        {
            bool shrunk = true;
            while (shrunk)
            {
                shrunk = false;
                for (int at = 1; at + chunk <= current.Length; at += chunk)
                {
                    var candidate = new byte[current.Length - chunk];
                    current.AsSpan(0, at).CopyTo(candidate);
                    current.AsSpan(at + chunk).CopyTo(candidate.AsSpan(at));
                    if (Failure(target, candidate) == signature)
                    {
                        current = candidate;
                        shrunk = true;
                    }
                }
            }
        }

        return current;
    }

    private static string? Failure(IFuzzTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var line = exception.Message.Split('\n')[0];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            return $"{exception.GetType().FullName} {(colon > 0 ? line[..colon] : line)}";
        }
    }
}
