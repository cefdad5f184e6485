namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>The kept head of one message, collected across calls while its bytes arrive.</summary>
internal sealed class KafkaPartialMessage
{
    public byte[] Buffer { get; private set; } = [];

    public bool Active { get; set; }

    /// <summary>The message's size (without its size prefix).</summary>
    public int Size { get; private set; }

    /// <summary>Bytes of the message to collect: its size, up to the head limit.</summary>
    public int Wanted { get; private set; }

    public int Filled { get; set; }

    /// <summary>Stream position of the message's size prefix.</summary>
    public long Start { get; private set; }

    public void Begin(int size, int wanted, long start)
    {
        if (Buffer.Length < wanted)
        {
            // Grows to the largest head seen, at most the head limit, and is reused.
            Buffer = new byte[Math.Max(wanted, Math.Min(Buffer.Length * 2, wanted * 2))];
        }

        Active = true;
        Size = size;
        Wanted = wanted;
        Filled = 0;
        Start = start;
    }
}
