using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsers.Tests.Nats;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Memcached;

/// <summary>Builds memcached bytes (binary headers included) and drives the memcached parser in tests.</summary>
internal static class MemcachedWire
{
    /// <summary>A binary request (magic 0x80) or response (0x81) with extras, key and value.</summary>
    public static byte[] Binary(bool request, byte opcode, uint opaque, string key = "", int extras = 0, string value = "", ushort status = 0)
    {
        var keyBytes = Encoding.ASCII.GetBytes(key);
        var valueBytes = Encoding.ASCII.GetBytes(value);
        var frame = new byte[24 + extras + keyBytes.Length + valueBytes.Length];
        frame[0] = request ? (byte)0x80 : (byte)0x81;
        frame[1] = opcode;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)keyBytes.Length);
        frame[4] = (byte)extras;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), status);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), (uint)(extras + keyBytes.Length + valueBytes.Length));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), opaque);
        keyBytes.CopyTo(frame, 24 + extras);
        valueBytes.CopyTo(frame, 24 + extras + keyBytes.Length);
        return frame;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static ParserDriver Driver(MemcachedParserOptions? options = null, bool multiSegment = false, ConnectionRole? role = null) =>
        NatsWire.Driver(new MemcachedParser(options ?? new MemcachedParserOptions()), multiSegment, role);

    public static List<MemcachedRecord> Records(this ParserDriver driver) => driver.Context.Records.Cast<MemcachedRecord>().ToList();

    public static string Describe(MemcachedRecord r) =>
        $"{r.Command}|{r.Dialect}|{string.Join(",", r.Keys)}|{r.KeyCount}|{r.Status}|{r.Hits}|{r.RequestValueSize}|{r.ResponseValueSize}|" +
        $"{r.Opaque}|{r.NoReply}|{r.ErrorMessage}|{r.IsErrorResponse}|{r.DataLost}|{r.Role}|{r.RequestTime:O}|{r.ResponseTime:O}";

    public static string DescribeAll(this ParserDriver driver) => string.Join("\n", driver.Records().Select(Describe));
}
