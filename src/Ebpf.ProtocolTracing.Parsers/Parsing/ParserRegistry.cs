namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// The registered protocol parsers, and the ways a connection is matched to one of them: by a port
/// configured for a parser, by the kernel's cheap guess, or by scoring the connection's first bytes.
/// </summary>
/// <remarks>Immutable after construction, so it is safe to share between threads.</remarks>
public sealed class ParserRegistry
{
    /// <summary>The lowest <see cref="IProtocolParser.Infer"/> score that <see cref="Infer"/> accepts.</summary>
    public const int InferenceThreshold = 50;

    private const int KernelProtocolSlots = 64;

    private readonly IProtocolParser[] _parsers;
    private readonly Dictionary<string, IProtocolParser> _byName;
    private readonly IProtocolParser?[] _byKernelProtocol = new IProtocolParser?[KernelProtocolSlots];
    private readonly Dictionary<int, IProtocolParser> _byPort;
    private readonly Dictionary<int, string> _portNames;

    /// <summary>Creates a registry.</summary>
    /// <param name="parsers">The parsers; names must be unique (compared without case).</param>
    /// <param name="parserPorts">Ports whose connections always go to the named parser (local or remote port).</param>
    /// <exception cref="ArgumentException">Two parsers share a name, a parser has no name, or a port names an unknown parser.</exception>
    public ParserRegistry(IEnumerable<IProtocolParser> parsers, IReadOnlyDictionary<int, string>? parserPorts = null)
    {
        ArgumentNullException.ThrowIfNull(parsers);

        var list = new List<IProtocolParser>();
        _byName = new Dictionary<string, IProtocolParser>(StringComparer.OrdinalIgnoreCase);
        foreach (var parser in parsers)
        {
            ArgumentNullException.ThrowIfNull(parser, nameof(parsers));
            var name = parser.Name;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException(
                    $"The parser {parser.GetType().FullName} has an empty Name; give it a short unique protocol name such as \"http\".",
                    nameof(parsers));
            }

            if (!_byName.TryAdd(name, parser))
            {
                throw new ArgumentException(
                    $"Two parsers are named \"{name}\" ({_byName[name].GetType().FullName} and {parser.GetType().FullName}); parser names must be unique, so register only one of them.",
                    nameof(parsers));
            }

            list.Add(parser);

            // The first parser registered for a kernel guess keeps it, so the order of registration decides.
            var slot = (int)parser.KernelProtocol;
            if (parser.KernelProtocol != WellKnownProtocol.None && parser.KernelProtocol != WellKnownProtocol.Forced
                && slot < KernelProtocolSlots && _byKernelProtocol[slot] is null)
            {
                _byKernelProtocol[slot] = parser;
                KernelProtocolMask |= 1UL << slot;
            }
        }

        _parsers = list.ToArray();
        Parsers = Array.AsReadOnly(_parsers);

        _byPort = new Dictionary<int, IProtocolParser>();
        _portNames = new Dictionary<int, string>();
        if (parserPorts is not null)
        {
            foreach (var (port, parserName) in parserPorts)
            {
                if (port is < 1 or > 65535)
                {
                    throw new ArgumentException(
                        $"Port {port} mapped to parser \"{parserName}\" is not a TCP/UDP port; use a port from 1 to 65535.",
                        nameof(parserPorts));
                }

                if (parserName is null || !_byName.TryGetValue(parserName, out var parser))
                {
                    throw new ArgumentException(
                        $"Port {port} is mapped to parser \"{parserName}\", but no parser of that name is registered (registered: {string.Join(", ", _byName.Keys)}); register the parser or fix the name.",
                        nameof(parserPorts));
                }

                _byPort[port] = parser;
                _portNames[port] = parser.Name;
            }
        }

        ForcedPorts = _byPort.Keys;
        ParserPorts = _portNames;
    }

    /// <summary>The registered parsers, in registration order.</summary>
    public IReadOnlyList<IProtocolParser> Parsers { get; }

    /// <summary>Bit <c>1 &lt;&lt; (int)KernelProtocol</c> set for each kernel guess that some registered parser handles.</summary>
    public ulong KernelProtocolMask { get; }

    /// <summary>Ports whose connections always go to a configured parser.</summary>
    public IReadOnlyCollection<int> ForcedPorts { get; }

    /// <summary>The port-to-parser-name mapping the registry was built with (names as the parsers spell them).</summary>
    public IReadOnlyDictionary<int, string> ParserPorts { get; }

    /// <summary>The parser named <paramref name="name"/> (compared without case), or <see langword="null"/>.</summary>
    public IProtocolParser? FindByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out var parser) ? parser : null;
    }

    /// <summary>The parser that handles the kernel's guess <paramref name="protocol"/>, or <see langword="null"/>.</summary>
    public IProtocolParser? FindByKernelProtocol(WellKnownProtocol protocol)
    {
        var slot = (int)protocol;
        return slot < KernelProtocolSlots ? _byKernelProtocol[slot] : null;
    }

    /// <summary>The parser configured for the local port, else for the remote port, or <see langword="null"/>.</summary>
    public IProtocolParser? FindByPort(int localPort, int remotePort)
    {
        if (_byPort.Count == 0)
        {
            return null;
        }

        if (_byPort.TryGetValue(localPort, out var parser) || _byPort.TryGetValue(remotePort, out parser))
        {
            return parser;
        }

        return null;
    }

    /// <summary>
    /// Asks every parser to score <paramref name="data"/> and returns the best one, when its score reaches
    /// <see cref="InferenceThreshold"/>. On a tie the earlier registered parser wins.
    /// </summary>
    /// <param name="data">The first bytes of one direction of a connection (or the first bytes after a gap).</param>
    /// <param name="direction">The direction the bytes belong to.</param>
    /// <param name="score">The best score, whether or not it reached the threshold; 0 with no parsers.</param>
    public IProtocolParser? Infer(ReadOnlySpan<byte> data, StreamDirection direction, out int score)
    {
        IProtocolParser? best = null;
        var bestScore = 0;
        foreach (var parser in _parsers)
        {
            var candidate = parser.Infer(data, direction);
            if (candidate > bestScore)
            {
                bestScore = candidate;
                best = parser;
            }
        }

        score = bestScore;
        return bestScore >= InferenceThreshold ? best : null;
    }
}
