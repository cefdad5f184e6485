namespace Ebpf.ProtocolTracing.MySql;

/// <summary>Framing state of one direction: what is left of a packet that is skipped rather than buffered.</summary>
internal sealed class MySqlPacketStream
{
    /// <summary>Payload bytes still to skip (the part of a long packet beyond <see cref="MySqlParserOptions.MaxPacketBytes"/>).</summary>
    public long SkipRemaining;

    /// <summary>The last packet had the maximum length: the next one continues the same payload.</summary>
    public bool Continuation;

    public void Reset()
    {
        SkipRemaining = 0;
        Continuation = false;
    }
}
