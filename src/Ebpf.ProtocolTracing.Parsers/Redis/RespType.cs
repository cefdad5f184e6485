using System.Buffers;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// RESP value types, by their first byte
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/#resp-protocol-description).
/// </summary>
internal enum RespType : byte
{
    /// <summary>Not read yet.</summary>
    None = 0,

    /// <summary>An inline command: a plain text line of space-separated words (client side only).</summary>
    Inline = 1,

    SimpleString = (byte)'+',
    SimpleError = (byte)'-',
    Integer = (byte)':',
    BulkString = (byte)'$',
    Array = (byte)'*',
    Null = (byte)'_',
    Boolean = (byte)'#',
    Double = (byte)',',
    BigNumber = (byte)'(',
    BulkError = (byte)'!',
    VerbatimString = (byte)'=',
    Map = (byte)'%',
    Set = (byte)'~',
    Attribute = (byte)'|',
    Push = (byte)'>',
}

/// <summary>How each <see cref="RespType"/> is framed.</summary>
internal static class RespTypes
{
    /// <summary>Bytes a RESP3 double may hold (digits, sign, point, exponent, <c>inf</c>, <c>nan</c>).</summary>
    public static readonly SearchValues<byte> DoubleBytes = SearchValues.Create("0123456789.eE+-infa"u8);

    /// <summary>Bytes a RESP3 big number may hold.</summary>
    public static readonly SearchValues<byte> BigNumberBytes = SearchValues.Create("0123456789-+"u8);

    /// <summary>A header line followed by a payload of the declared length and CRLF.</summary>
    public static bool IsBulk(RespType type) => type is RespType.BulkString or RespType.BulkError or RespType.VerbatimString;

    /// <summary>A header line declaring how many values follow.</summary>
    public static bool IsAggregate(RespType type) =>
        type is RespType.Array or RespType.Map or RespType.Set or RespType.Attribute or RespType.Push;

    /// <summary>Everything is on the header line.</summary>
    public static bool IsLine(RespType type) =>
        type is RespType.SimpleString or RespType.SimpleError or RespType.Integer or RespType.Null
            or RespType.Boolean or RespType.Double or RespType.BigNumber;

    /// <summary>Whether <paramref name="first"/> starts any RESP2 or RESP3 value.</summary>
    public static bool IsTypeByte(byte first) => IsBulk((RespType)first) || IsAggregate((RespType)first) || IsLine((RespType)first);

    /// <summary>Whether a value of this type is an error reply.</summary>
    public static bool IsError(RespType type) => type is RespType.SimpleError or RespType.BulkError;
}
