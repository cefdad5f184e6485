namespace Ebpf.ProtocolTracing.Http2;

/// <summary>One HTTP/2 stream being followed: both halves and how it ended.</summary>
internal sealed class Http2Stream
{
    public Http2Stream(int id, long sequence, int maxBodyBytes)
    {
        Id = id;
        Sequence = sequence;
        Halves = [new Http2StreamHalf(maxBodyBytes), new Http2StreamHalf(maxBodyBytes)];
    }

    /// <summary>The stream identifier.</summary>
    public int Id { get; }

    /// <summary>Creation order on the connection (the lowest is evicted first).</summary>
    public long Sequence { get; }

    /// <summary>The halves, indexed by <see cref="StreamDirection"/>.</summary>
    public Http2StreamHalf[] Halves { get; }

    /// <summary>Whether bytes of this stream were lost.</summary>
    public bool DataLost { get; set; }

    /// <summary>The RST_STREAM or GOAWAY error that ended it, or <see langword="null"/>.</summary>
    public string? ResetError { get; set; }

    /// <summary>Whether the request or response headers say the stream carries gRPC.</summary>
    public bool IsGrpc { get; set; }

    /// <summary>The half a direction sent.</summary>
    public Http2StreamHalf Half(StreamDirection direction) => Halves[(int)direction];
}
