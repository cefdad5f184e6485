using System.Buffers;

namespace Ebpf.ProtocolTracing.Parsing;

/// <summary>
/// The part of a connection parser that is the same for every protocol read by an
/// <see cref="IFrameReader{TFrame}"/> per direction: the read loop, gaps, resync and completion, and
/// which direction is the client's (from the role, else learned from the traffic).
/// </summary>
internal abstract class FramedConnectionParser<TReader, TFrame> : IConnectionParser
    where TReader : class, IFrameReader<TFrame>
{
    private readonly TReader[] _readers;
    private StreamDirection? _learnedClientDirection;

    protected FramedConnectionParser(IParseContext context, TReader egressReader, TReader ingressReader)
    {
        Context = context;
        _readers = [egressReader, ingressReader];
    }

    protected IParseContext Context { get; }

    /// <summary>The client's direction: from the connection's role, else what the traffic taught; <see langword="null"/> while unknown.</summary>
    protected StreamDirection? ClientDirection => Context.Connection.Role switch
    {
        ConnectionRole.Client => StreamDirection.Egress,
        ConnectionRole.Server => StreamDirection.Ingress,
        _ => _learnedClientDirection,
    };

    public ParseStatus Parse(StreamDirection direction, ReadOnlySequence<byte> data, long streamPosition, out SequencePosition consumed)
    {
        var reader = _readers[(int)direction];
        long offset = 0;
        while (true)
        {
            var status = reader.Read(data, streamPosition, ref offset);
            if (status == FrameReadStatus.NeedMore)
            {
                break;
            }

            if (status == FrameReadStatus.Invalid)
            {
                Lose(direction);

                // Resync strictly after the bad frame's first byte.
                consumed = data.GetPosition(Math.Min(offset + 1, data.Length));
                return ParseStatus.Invalid;
            }

            Dispatch(direction, reader.TakeFrame());
        }

        consumed = data.GetPosition(offset);
        return ParseStatus.Continue;
    }

    public bool OnGap(StreamDirection direction, long length)
    {
        if (length <= 0 || _readers[(int)direction].OnGap(length))
        {
            return true;
        }

        Lose(direction);
        return false;
    }

    public bool TryFindFrameStart(StreamDirection direction, ReadOnlySequence<byte> data, out SequencePosition frameStart)
    {
        var found = TryFindFrameStart(data, out var offset);
        frameStart = found ? data.GetPosition(offset) : data.Start;
        return found;
    }

    public void Complete()
    {
        _readers[0].Reset();
        _readers[1].Reset();
        OnComplete();
    }

    /// <summary>Where the next frame starts in <paramref name="data"/>, for the protocol's finder.</summary>
    protected abstract bool TryFindFrameStart(ReadOnlySequence<byte> data, out long offset);

    /// <summary>Hands one complete frame to the protocol's matcher.</summary>
    protected abstract void Dispatch(StreamDirection direction, TFrame frame);

    /// <summary>Bytes of a stream were lost: the matcher marks what they touched.</summary>
    protected abstract void OnLost();

    /// <summary>The connection ended: the matcher emits what is pending.</summary>
    protected abstract void OnComplete();

    /// <summary>Remembers the client's direction, learned from a frame only one side sends.</summary>
    protected void LearnClientDirection(StreamDirection clientDirection) => _learnedClientDirection = clientDirection;

    protected static StreamDirection Other(StreamDirection direction) =>
        direction == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress;

    private void Lose(StreamDirection direction)
    {
        _readers[(int)direction].Reset();
        OnLost();
    }
}
