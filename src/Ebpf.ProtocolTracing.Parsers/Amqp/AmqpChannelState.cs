namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>What one channel of a connection waits for.</summary>
internal sealed class AmqpChannelState
{
    /// <summary>Synchronous requests (from either side) waiting for their reply, oldest first.</summary>
    public List<AmqpPending> Waiting { get; } = [];

    /// <summary>Publishes waiting for a confirm (channel in confirm mode), by publish sequence.</summary>
    public List<AmqpPending> Unconfirmed { get; } = [];

    /// <summary>Per direction: the content-carrying method whose header and body frames are being read.</summary>
    public AmqpPending?[] Content { get; } = new AmqpPending?[2];

    /// <summary>Whether <c>confirm.select</c> was seen: the server acks every publish by its sequence.</summary>
    public bool ConfirmMode { get; set; }

    /// <summary>Publishes since <c>confirm.select</c>.</summary>
    public ulong PublishCount { get; set; }

    public int PendingCount => Waiting.Count + Unconfirmed.Count + (Content[0] is null ? 0 : 1) + (Content[1] is null ? 0 : 1);
}
