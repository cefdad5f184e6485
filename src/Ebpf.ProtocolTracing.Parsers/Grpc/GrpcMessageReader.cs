namespace Ebpf.ProtocolTracing.Grpc;

/// <summary>
/// Splits one direction of a gRPC call's DATA bytes into length-prefixed messages (a compressed flag
/// byte and a 32-bit big-endian length, https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md),
/// counting them all and keeping the first few, each up to a limit.
/// </summary>
internal sealed class GrpcMessageReader(int maxMessagesKept, int maxBytesPerMessage)
{
    private const int PrefixLength = 5;

    private readonly List<PartialMessage> _kept = [];
    private readonly byte[] _prefix = new byte[PrefixLength];
    private int _prefixFilled;
    private long _remaining;
    private PartialMessage? _current;

    /// <summary>Messages whose prefix was read (including one still arriving).</summary>
    public int Count { get; private set; }

    /// <summary>Whether the framing was lost (a gap outside a message, or a prefix that is not gRPC's); counting stopped there.</summary>
    public bool Lost { get; private set; }

    /// <summary>Whether a message was cut by the end of the stream or by a gap.</summary>
    public bool Incomplete => _prefixFilled > 0 || _remaining > 0;

    /// <summary>Reads the next DATA bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !Lost)
        {
            if (_remaining > 0)
            {
                int take = (int)Math.Min(_remaining, data.Length);
                _current?.Append(data[..take]);
                _remaining -= take;
                data = data[take..];
                continue;
            }

            int need = PrefixLength - _prefixFilled;
            int copy = Math.Min(need, data.Length);
            data[..copy].CopyTo(_prefix.AsSpan(_prefixFilled));
            _prefixFilled += copy;
            data = data[copy..];
            if (_prefixFilled < PrefixLength)
            {
                return;
            }

            _prefixFilled = 0;
            if (_prefix[0] > 1)
            {
                // Not a gRPC message prefix: stop rather than count garbage.
                Lost = true;
                return;
            }

            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(1));
            Count++;
            _remaining = length;
            _current = null;
            if (_kept.Count < maxMessagesKept)
            {
                _current = new PartialMessage(_prefix[0] == 1, length, (int)Math.Min(length, maxBytesPerMessage));
                _kept.Add(_current);
            }
        }
    }

    /// <summary><paramref name="length"/> DATA bytes were not captured.</summary>
    /// <returns><see langword="true"/> when they fell inside one message, which is then kept only up to the gap.</returns>
    public bool OnGap(long length)
    {
        if (!Lost && _prefixFilled == 0 && length <= _remaining)
        {
            _remaining -= length;
            _current?.StopKeeping();
            return true;
        }

        Lost = true;
        return false;
    }

    /// <summary>The kept messages, rendered by <paramref name="render"/> when complete and uncompressed.</summary>
    public IReadOnlyList<GrpcMessage> Build(Func<ReadOnlyMemory<byte>, string?>? render)
    {
        if (_kept.Count == 0)
        {
            return [];
        }

        var messages = new GrpcMessage[_kept.Count];
        for (int i = 0; i < messages.Length; i++)
        {
            var message = _kept[i];
            var data = message.Kept;
            string? text = render is not null && !message.Compressed && data.Length == message.Length ? render(data) : null;
            messages[i] = new GrpcMessage { Compressed = message.Compressed, Length = message.Length, Data = data, Text = text };
        }

        return messages;
    }

    private sealed class PartialMessage(bool compressed, long length, int keep)
    {
        private readonly byte[] _bytes = new byte[keep];
        private int _filled;
        private bool _stopped;

        public bool Compressed => compressed;

        public long Length => length;

        public ReadOnlyMemory<byte> Kept => _bytes.AsMemory(0, _filled);

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_stopped)
            {
                return;
            }

            int take = Math.Min(_bytes.Length - _filled, data.Length);
            data[..take].CopyTo(_bytes.AsSpan(_filled));
            _filled += take;
        }

        public void StopKeeping() => _stopped = true;
    }
}
