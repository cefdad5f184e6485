using System.Buffers;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// The previous head read on one stream, byte for byte, with its scan and what was read from it: a head
/// that repeats it exactly — a load generator's request, a server's answer to the same request — needs
/// neither scanning nor reading.
/// </summary>
/// <remarks>
/// What <see cref="HttpHeadScanner"/> finds and what <see cref="HttpHeadReader"/> makes depend only on the
/// head's bytes and the parser's options, which never change, so a head equal to the previous one has
/// the same scan, the same strings and the same header list (all immutable, so records may share them).
/// Heads longer than <see cref="MaxBytes"/> are not kept, which bounds what a busy stream holds; an idle
/// connection drops it altogether.
/// </remarks>
internal sealed class HttpRepeatedHead
{
    /// <summary>Longest head kept for comparison.</summary>
    public const int MaxBytes = 1024;

    private byte[] _bytes = [];

    // 0: nothing kept (the last head was longer than MaxBytes).
    private int _length;
    private HttpHeadScanner _scan;
    private string? _method;
    private string? _target;
    private string? _version;
    private int _statusCode;
    private string? _reasonPhrase;
    private HttpHeaders _headers = HttpHeaders.Empty;

    /// <summary>Whether <paramref name="data"/>, from a message's first byte, starts with the kept head; then <paramref name="scan"/> is its scan.</summary>
    public bool TryMatch(in ReadOnlySequence<byte> data, out HttpHeadScanner scan)
    {
        scan = default;
        if (_length == 0)
        {
            return false;
        }

        if (!new SequenceReader<byte>(data).IsNext(_bytes.AsSpan(0, _length)))
        {
            return false;
        }

        scan = _scan;
        return true;
    }

    /// <summary>Gives <paramref name="message"/> what was read from the kept head.</summary>
    public void Fill(HttpMessage message)
    {
        message.Method = _method;
        message.Target = _target;
        message.Version = _version;
        message.StatusCode = _statusCode;
        message.ReasonPhrase = _reasonPhrase;
        message.Headers = _headers;
    }

    /// <summary>Keeps <paramref name="head"/> (when short enough), its scan and what <paramref name="message"/> got from it.</summary>
    public void Remember(in ReadOnlySequence<byte> head, in HttpHeadScanner scan, HttpMessage message)
    {
        var length = head.Length;
        if (length > MaxBytes)
        {
            _length = 0;
            return;
        }

        if (_bytes.Length < length)
        {
            _bytes = new byte[length];
        }

        head.CopyTo(_bytes);
        _length = (int)length;
        _scan = scan;
        _method = message.Method;
        _target = message.Target;
        _version = message.Version;
        _statusCode = message.StatusCode;
        _reasonPhrase = message.ReasonPhrase;
        _headers = message.Headers;
    }
}
