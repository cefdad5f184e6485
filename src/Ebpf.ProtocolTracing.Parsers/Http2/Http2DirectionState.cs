using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Where the parser is in one direction's frame stream.</summary>
internal enum Http2Phase
{
    /// <summary>At a frame boundary (or before the preface).</summary>
    Frames,

    /// <summary>Inside a DATA payload, handing bytes to its stream as they arrive.</summary>
    Data,

    /// <summary>Inside bytes that are skipped: padding, GOAWAY debug data, frames of unknown type.</summary>
    Skip,
}

/// <summary>One direction of a connection: its framing position, header block assembly and HPACK decoder.</summary>
internal sealed class Http2DirectionState
{
    /// <summary>Whether the first bytes were examined for the client preface.</summary>
    public bool Started { get; set; }

    /// <summary>Whether this direction began with the client preface.</summary>
    public bool PrefaceSeen { get; set; }

    /// <summary>Whether this direction lost bytes before its HPACK decoder was created.</summary>
    public bool LostBeforeDecoder { get; set; }

    /// <summary>The decoder of header blocks this direction sends; created with the first frame.</summary>
    public HpackDecoder? Hpack { get; set; }

    /// <summary>SETTINGS_HEADER_TABLE_SIZE advertised by the receiver of this direction.</summary>
    public int AllowedTableSize { get; set; } = HpackDecoder.DefaultTableSize;

    /// <summary>SETTINGS_MAX_FRAME_SIZE advertised by the receiver; the protocol maximum until one is seen.</summary>
    public int MaxFrameSize { get; set; } = Http2FrameHeader.ProtocolMaxLength;

    /// <summary>The current phase.</summary>
    public Http2Phase Phase { get; set; }

    /// <summary>Bytes left in the DATA payload or skipped region.</summary>
    public long Remaining { get; set; }

    /// <summary>Padding to skip after the DATA payload.</summary>
    public int PaddingAfter { get; set; }

    /// <summary>The stream of the DATA frame being read (null when its stream is not followed).</summary>
    public Http2Stream? DataStream { get; set; }

    /// <summary>Whether the DATA frame being read ends its stream.</summary>
    public bool DataEndsStream { get; set; }

    /// <summary>A header block waits for CONTINUATION frames.</summary>
    public bool ExpectContinuation { get; set; }

    /// <summary>The stream of the header block being assembled.</summary>
    public int BlockStreamId { get; set; }

    /// <summary>The stream a PUSH_PROMISE block promises, or 0 for HEADERS.</summary>
    public int BlockPromisedStreamId { get; set; }

    /// <summary>Whether the HEADERS frame that began the block had END_STREAM.</summary>
    public bool BlockEndsStream { get; set; }

    /// <summary>When the first frame of the block crossed the syscall boundary.</summary>
    public DateTimeOffset BlockTime { get; set; }

    /// <summary>The header block assembled so far.</summary>
    public byte[] Block { get; set; } = [];

    /// <summary>Bytes of <see cref="Block"/> in use.</summary>
    public int BlockLength { get; set; }

    /// <summary>Appends a fragment to the block; <see langword="false"/> when the block would pass <paramref name="limit"/>.</summary>
    public bool AppendToBlock(ReadOnlySpan<byte> fragment, int limit)
    {
        int needed = BlockLength + fragment.Length;
        if (needed > limit)
        {
            return false;
        }

        if (Block.Length < needed)
        {
            var grown = new byte[Math.Min(limit, Math.Max(needed, Math.Max(256, Block.Length * 2)))];
            Block.AsSpan(0, BlockLength).CopyTo(grown);
            Block = grown;
        }

        fragment.CopyTo(Block.AsSpan(BlockLength));
        BlockLength = needed;
        return true;
    }

    /// <summary>Forgets the frame in progress (after a loss or invalid bytes).</summary>
    public void ResetFraming()
    {
        Phase = Http2Phase.Frames;
        Remaining = 0;
        PaddingAfter = 0;
        DataStream = null;
        DataEndsStream = false;
        ExpectContinuation = false;
        BlockLength = 0;
    }
}
