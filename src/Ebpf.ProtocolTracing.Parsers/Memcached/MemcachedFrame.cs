namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>One command or response: a text line or a binary header, with the size of the value after it.</summary>
internal sealed class MemcachedFrame
{
    public MemcachedDialect Dialect { get; init; }

    public bool IsCommand { get; init; }

    /// <summary>Text: the command (lowercase) or response word as sent; binary: the opcode's name.</summary>
    public required string Word { get; init; }

    /// <summary>Where the frame starts in its stream.</summary>
    public long Position { get; set; }

    public List<string> Keys { get; } = [];

    public int KeyCount { get; set; }

    /// <summary>Bytes of the value that follows (a data block or a binary value), or -1 without one.</summary>
    public long ValueSize { get; set; } = -1;

    /// <summary><c>noreply</c>, a meta <c>q</c> flag, or a binary quiet opcode.</summary>
    public bool NoReply { get; set; }

    public string? Opaque { get; set; }

    /// <summary>Error text, or the version of a VERSION reply.</summary>
    public string? Message { get; set; }

    /// <summary>Binary only: the opcode.</summary>
    public byte Opcode { get; init; }

    /// <summary>Binary responses only: the status.</summary>
    public ushort Status { get; init; }

    public void AddKey(ReadOnlySpan<byte> key, MemcachedParserOptions options)
    {
        KeyCount++;
        if (Keys.Count < options.MaxKeys)
        {
            Keys.Add(Redis.RespText.Escape(key.Length > options.MaxKeyLength ? key[..options.MaxKeyLength] : key));
        }
    }
}
