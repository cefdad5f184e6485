using System.Buffers.Binary;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// The binary protocol's header, opcodes and statuses
/// (https://github.com/memcached/memcached/blob/master/doc/protocol-binary.txt).
/// </summary>
internal static class MemcachedBinary
{
    public const int HeaderLength = 24;
    public const byte RequestMagic = 0x80;
    public const byte ResponseMagic = 0x81;
    public const byte StatOpcode = 0x10;

    /// <summary>Longest key accepted; memcached's own limit is 250, so longer means the bytes are not a header.</summary>
    public const int MaxKeyLength = 1024;

    private static readonly string?[] Names =
    [
        "get", "set", "add", "replace", "delete", "increment", "decrement", "quit", "flush", "getq", "noop", "version",
        "getk", "getkq", "append", "prepend", "stat", "setq", "addq", "replaceq", "deleteq", "incrementq", "decrementq",
        "quitq", "flushq", "appendq", "prependq", "verbosity", "touch", "gat", "gatq", null, "sasl_list_mechs", "sasl_auth",
        "sasl_step", "gatk", "gatkq",
    ];

    public static bool IsMagic(byte b) => b is RequestMagic or ResponseMagic;

    public static string? OpcodeName(byte opcode) => opcode < Names.Length ? Names[opcode] : null;

    /// <summary>Quiet opcodes answer only on a miss (gets) or a failure (the rest).</summary>
    public static bool IsQuiet(byte opcode) => opcode is 0x09 or 0x0d or (>= 0x11 and <= 0x1a) or 0x1e or 0x24;

    public static bool IsRetrieval(byte opcode) => opcode is 0x00 or 0x09 or 0x0c or 0x0d or 0x1d or 0x1e or 0x23 or 0x24;

    public static string StatusName(ushort status) => status switch
    {
        0x00 => "NoError",
        0x01 => "KeyNotFound",
        0x02 => "KeyExists",
        0x03 => "ValueTooLarge",
        0x04 => "InvalidArguments",
        0x05 => "ItemNotStored",
        0x06 => "NonNumericValue",
        0x07 => "WrongVbucket",
        0x20 => "AuthError",
        0x21 => "AuthContinue",
        0x81 => "UnknownCommand",
        0x82 => "OutOfMemory",
        0x83 => "NotSupported",
        0x84 => "InternalError",
        0x85 => "Busy",
        0x86 => "TemporaryFailure",
        _ => "0x" + status.ToString("x2", CultureInfo.InvariantCulture),
    };

    /// <summary>Statuses that answer the question rather than report a failure.</summary>
    public static bool IsErrorStatus(ushort status) => status is not (0x00 or 0x01 or 0x02 or 0x05 or 0x21);

    /// <summary>The checks a receiver makes on a header; <see langword="false"/> when these bytes cannot be one.</summary>
    public static bool IsPlausible(ReadOnlySpan<byte> header, MemcachedParserOptions options)
    {
        if (header.Length < HeaderLength || !IsMagic(header[0]) || OpcodeName(header[1]) is null || header[5] != 0)
        {
            return false;
        }

        int keyLength = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        uint body = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        long value = (long)body - header[4] - keyLength;
        return keyLength <= MaxKeyLength && value >= 0 && value <= options.MaxValueBytes;
    }
}
