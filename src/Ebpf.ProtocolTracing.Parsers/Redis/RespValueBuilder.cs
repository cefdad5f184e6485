using System.Buffers;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// Keeps what a record needs of one top-level value while its bytes stream past: the value's type and
/// short text, and the first elements of an aggregate (a command's name and arguments). Bulk payloads
/// are kept only up to the limits; everything else is counted, not copied.
/// </summary>
/// <remarks>
/// On the command side each argument goes through <see cref="RedisRedaction"/> before its bytes are
/// copied, so a secret is never decoded or stored.
/// </remarks>
internal sealed class RespValueBuilder
{
    /// <summary>Bytes of each argument always looked at, whether kept or not, to follow the redaction rules.</summary>
    private const int KeywordBytes = 32;

    /// <summary>A command's name and subcommand are kept whole up to this length, whatever the argument limit.</summary>
    private const int CommandNameBytes = 64;

    private readonly int _maxElements;
    private readonly int _maxElementLength;
    private readonly int _maxValueLength;
    private readonly bool _redact;
    private readonly byte[] _scratch;
    private readonly byte[] _keyword = new byte[KeywordBytes];
    private readonly List<RespElement> _elements = [];

    private RedisRedaction _redaction;
    private RespElement? _value;
    private long _start;
    private bool _lossy;

    // The bulk value in progress.
    private RespType _bulkType;
    private int _bulkDepth;
    private long _bulkIndex;
    private long _bulkSize;
    private int _kept;
    private int _keepLimit;
    private int _keywordLength;
    private bool _bulkSecret;
    private bool _bulkCut;

    public RespValueBuilder(RedisParserOptions options, bool commandSide)
    {
        _maxElements = options.MaxArguments + 2;
        _maxElementLength = options.MaxArgumentLength;
        _maxValueLength = options.MaxReplyLength;
        _redact = options.RedactSecrets;
        CommandSide = commandSide;
        _scratch = new byte[Math.Max(Math.Max(_maxElementLength, _maxValueLength), CommandNameBytes)];
    }

    /// <summary>Whether values are read as commands (argument redaction on).</summary>
    public bool CommandSide { get; set; }

    public void Begin(long start)
    {
        _value = null;
        _elements.Clear();
        _start = start;
        _lossy = false;
        _redaction = default;
    }

    public RespValue Finish(long end) => new()
    {
        Value = _value ?? new RespElement { Type = RespType.Null, IsNull = true },
        Elements = _elements.Count == 0 ? [] : _elements.ToArray(),
        Start = _start,
        End = end,
        Lossy = _lossy,
    };

    public void OnLine(int depth, long index, RespType type, ReadOnlySpan<byte> body)
    {
        if (!Wanted(depth, index))
        {
            return;
        }

        int limit = depth == 0 ? _maxValueLength : _maxElementLength;
        bool cut = body.Length > limit;
        var element = new RespElement
        {
            Type = type,
            IsNull = type == RespType.Null,
            Text = type == RespType.Null ? null : RespText.Escape(cut ? body[..limit] : body),
            Size = body.Length,
            Truncated = cut,
        };
        Store(depth, element);
    }

    public void OnNull(int depth, long index, RespType type)
    {
        if (Wanted(depth, index))
        {
            Store(depth, new RespElement { Type = type, IsNull = true });
        }
    }

    public void OnAggregate(int depth, long index, RespType type, long count)
    {
        if (depth == 0 && CommandSide)
        {
            _redaction.Begin(count);
        }

        if (Wanted(depth, index))
        {
            Store(depth, new RespElement { Type = type, Size = count });
        }
    }

    public void BeginBulk(int depth, long index, RespType type, long length)
    {
        _bulkType = type;
        _bulkDepth = depth;
        _bulkIndex = index;
        _bulkSize = length;
        _kept = 0;
        _keywordLength = 0;
        _bulkCut = false;
        bool argument = CommandSide && depth == 1;
        _bulkSecret = argument && _redact && _redaction.IsSecret(index);
        _keepLimit = _bulkSecret || !Wanted(depth, index) ? 0
            : depth == 0 ? _maxValueLength
            : argument && index < 2 ? Math.Max(_maxElementLength, CommandNameBytes)
            : _maxElementLength;
    }

    public void BulkBytes(in ReadOnlySequence<byte> bytes)
    {
        if (_bulkSecret)
        {
            return;
        }

        foreach (var segment in bytes)
        {
            var span = segment.Span;
            if (CommandSide && _bulkDepth == 1 && _keywordLength < KeywordBytes)
            {
                int take = Math.Min(span.Length, KeywordBytes - _keywordLength);
                span[..take].CopyTo(_keyword.AsSpan(_keywordLength));
                _keywordLength += take;
            }

            if (_kept < _keepLimit && !_bulkCut)
            {
                int take = Math.Min(span.Length, _keepLimit - _kept);
                span[..take].CopyTo(_scratch.AsSpan(_kept));
                _kept += take;
            }
        }
    }

    /// <summary>Payload bytes of the bulk value were not captured: what is kept stops before them.</summary>
    public void BulkGap()
    {
        _bulkCut = true;
        _lossy = true;
        _keywordLength = KeywordBytes + 1;
    }

    public void EndBulk()
    {
        bool argument = CommandSide && _bulkDepth == 1;
        bool secret = _bulkSecret;
        if (argument)
        {
            var word = _keywordLength <= KeywordBytes && _keywordLength == _bulkSize ? _keyword.AsSpan(0, _keywordLength) : default;
            if (!secret && _redact && _bulkSize > 0 && _keywordLength > 0 && _redaction.IsSecretByContent(_bulkIndex, _keyword[0]))
            {
                secret = true;
            }

            _redaction.OnArgument(_bulkIndex, secret ? default : word);
            Array.Clear(_keyword);
        }

        if (secret)
        {
            Array.Clear(_scratch, 0, _kept);
            _kept = 0;
        }

        if (!Wanted(_bulkDepth, _bulkIndex))
        {
            return;
        }

        var kept = _scratch.AsSpan(0, _kept);
        if (_bulkType == RespType.VerbatimString && kept.Length >= 4 && kept[3] == (byte)':')
        {
            // "txt:" or "mkd:": the format, not the text.
            kept = kept[4..];
        }

        Store(_bulkDepth, new RespElement
        {
            Type = _bulkType,
            Text = secret ? null : RespText.Escape(kept),
            Size = _bulkSize,
            Truncated = !secret && _kept < _bulkSize,
            Redacted = secret,
        });
        _kept = 0;
    }

    private bool Wanted(int depth, long index) => depth == 0 || (depth == 1 && index < _maxElements);

    private void Store(int depth, RespElement element)
    {
        if (depth == 0)
        {
            _value = element;
        }
        else
        {
            _elements.Add(element);
        }
    }
}
