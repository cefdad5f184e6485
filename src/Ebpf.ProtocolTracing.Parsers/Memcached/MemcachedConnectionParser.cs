using System.Buffers;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// One connection's memcached state: a <see cref="MemcachedFrameReader"/> per direction and the
/// <see cref="MemcachedExchangeMatcher"/> that pairs what they read.
/// </summary>
/// <remarks>
/// Which direction carries commands comes from the connection's role; when the role is unknown (tracing
/// began mid-connection) the first frame decides: a command word or a request magic marks the client's
/// direction, anything else the server's.
/// </remarks>
internal sealed class MemcachedConnectionParser : FramedConnectionParser<MemcachedFrameReader, MemcachedFrame>
{
    private readonly MemcachedParserOptions _options;
    private readonly MemcachedExchangeMatcher _matcher;

    public MemcachedConnectionParser(IParseContext context, MemcachedParserOptions options)
        : base(context, new MemcachedFrameReader(options), new MemcachedFrameReader(options))
    {
        _options = options;
        _matcher = new MemcachedExchangeMatcher(context, options);
    }

    /// <summary>Commands waiting for responses (for tests that check the bound).</summary>
    internal int PendingCount => _matcher.PendingCount;

    protected override bool TryFindFrameStart(ReadOnlySequence<byte> data, out long offset) =>
        MemcachedFrameFinder.TryFind(data, _options, out offset);

    protected override void OnLost() => _matcher.OnLost();

    protected override void OnComplete() => _matcher.Complete();

    protected override void Dispatch(StreamDirection direction, MemcachedFrame frame)
    {
        if (ClientDirection is null)
        {
            LearnClientDirection(frame.IsCommand ? direction : Other(direction));
        }

        var clientDirection = ClientDirection!.Value;
        _matcher.Role = clientDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server;
        var time = Context.TimeAt(direction, frame.Position);

        // A frame of the wrong kind for its direction (a command word in a stored value's place) is not used.
        if (direction == clientDirection)
        {
            if (frame.IsCommand)
            {
                _matcher.AddCommand(frame, time);
            }
        }
        else if (!frame.IsCommand)
        {
            _matcher.AddResponse(frame, time);
        }
    }
}
