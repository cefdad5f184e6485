namespace Ebpf.ProtocolTracing.Http;

/// <summary>Where a stream is inside the message it is reading.</summary>
internal enum HttpStreamPhase : byte
{
    /// <summary>Between messages.</summary>
    Idle,

    /// <summary>Reading a head.</summary>
    Head,

    /// <summary>Reading a body of known remaining length.</summary>
    FixedBody,

    /// <summary>Reading a chunk-size line.</summary>
    ChunkSize,

    /// <summary>Reading chunk data of known remaining length.</summary>
    ChunkData,

    /// <summary>Reading the CRLF after chunk data.</summary>
    ChunkDataEnd,

    /// <summary>Reading the trailer section after the last chunk.</summary>
    Trailers,

    /// <summary>Reading a response body that ends when the connection closes.</summary>
    UntilClose,

    /// <summary>After a request that may switch protocols: waiting for the response to tell.</summary>
    AwaitingUpgrade,
}

/// <summary>One direction's reading state.</summary>
internal sealed class HttpStreamState
{
    /// <summary>The phase.</summary>
    public HttpStreamPhase Phase;

    /// <summary>The head scan of the message being read.</summary>
    public HttpHeadScanner Scanner;

    /// <summary>Stream position of the current message's first byte.</summary>
    public long MessageStart;

    /// <summary>Bytes left in the fixed body or the current chunk.</summary>
    public long Remaining;

    /// <summary>Bytes of trailer section read so far.</summary>
    public int TrailerBytes;

    /// <summary>The message whose body is being read.</summary>
    public HttpMessage? Message;

    /// <summary>For a response: the request it answers (null when not captured).</summary>
    public HttpMessage? Request;

    /// <summary>Strings of the previous head on this stream, reused when the next head repeats them; null until a head is read or after an idle trim.</summary>
    public HttpHeadStringCache? Strings;

    /// <summary>The previous head on this stream byte for byte, so an exact repeat is neither scanned nor read; null until a head is read or after an idle trim.</summary>
    public HttpRepeatedHead? PreviousHead;

    /// <summary>Whether the head being started repeats <see cref="PreviousHead"/> exactly.</summary>
    public bool HeadRepeats;

    /// <summary>Forgets what was kept of earlier heads (an idle trim): the next heads are read anew, and kept again from the second on.</summary>
    public void ForgetHeads()
    {
        Strings = null;
        PreviousHead = null;
    }

    /// <summary>Forgets the message in progress; the stream starts again between messages.</summary>
    public void Reset()
    {
        Phase = HttpStreamPhase.Idle;
        Scanner = default;
        Remaining = 0;
        TrailerBytes = 0;
        Message = null;
        Request = null;
        HeadRepeats = false;
    }
}
