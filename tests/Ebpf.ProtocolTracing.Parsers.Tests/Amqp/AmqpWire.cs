using System.Buffers.Binary;
using System.Text;
using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Parsers.Tests.Kafka;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Amqp;

/// <summary>Builds AMQP 0-9-1 frames (spec 4.2.3) and drives the AMQP parser in tests.</summary>
internal static class AmqpWire
{
    public static readonly byte[] ProtocolHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 9, 1];

    public static readonly byte[] Heartbeat = [8, 0, 0, 0, 0, 0, 0, 0xCE];

    public static byte[] Frame(byte type, ushort channel, byte[] payload)
    {
        var frame = new byte[7 + payload.Length + 1];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = 0xCE;
        return frame;
    }

    public static byte[] Method(ushort channel, ushort classId, ushort methodId, Action<Args>? arguments = null)
    {
        var args = new Args();
        args.Short(classId).Short(methodId);
        arguments?.Invoke(args);
        return Frame(1, channel, args.ToArray());
    }

    /// <summary>A basic-class content header with the given properties (null ones absent).</summary>
    public static byte[] Header(ushort channel, long bodySize, string? contentType = null, byte? deliveryMode = null, string? messageId = null, string? correlationId = null, string? replyTo = null)
    {
        var args = new Args();
        args.Short(60).Short(0).LongLong((ulong)bodySize);
        int flags = (contentType is null ? 0 : 1 << 15) | (deliveryMode is null ? 0 : 1 << 12) | (correlationId is null ? 0 : 1 << 10)
            | (replyTo is null ? 0 : 1 << 9) | (messageId is null ? 0 : 1 << 7);
        args.Short((ushort)flags);
        if (contentType is not null)
        {
            args.ShortString(contentType);
        }

        if (deliveryMode is { } mode)
        {
            args.Octet(mode);
        }

        if (correlationId is not null)
        {
            args.ShortString(correlationId);
        }

        if (replyTo is not null)
        {
            args.ShortString(replyTo);
        }

        if (messageId is not null)
        {
            args.ShortString(messageId);
        }

        return Frame(2, channel, args.ToArray());
    }

    public static byte[] Body(ushort channel, string text) => Frame(3, channel, Encoding.UTF8.GetBytes(text));

    /// <summary>A message: its method, then the content header and one body frame (none for an empty body).</summary>
    public static byte[] Message(byte[] method, ushort channel, string body, string? contentType = "text/plain", string? messageId = null) =>
        Concat(method, Header(channel, Encoding.UTF8.GetByteCount(body), contentType, 2, messageId), body.Length == 0 ? [] : Body(channel, body));

    public static byte[] ConnectionStart() => Method(0, 10, 10, a => a.Octet(0).Octet(9).Table().LongString("PLAIN AMQPLAIN"u8).LongString("en_US"u8));

    public static byte[] StartOk(string user, string password) =>
        Method(0, 10, 11, a => a.Table().ShortString("PLAIN").LongString(Encoding.UTF8.GetBytes("\0" + user + "\0" + password)).ShortString("en_US"));

    public static byte[] Tune() => Method(0, 10, 30, a => a.Short(2047).Long(131072).Short(60));

    public static byte[] TuneOk() => Method(0, 10, 31, a => a.Short(2047).Long(131072).Short(30));

    public static byte[] ConnectionOpen(string vhost) => Method(0, 10, 40, a => a.ShortString(vhost).ShortString("").Bits(false));

    public static byte[] ConnectionOpenOk() => Method(0, 10, 41, a => a.ShortString(""));

    public static byte[] ChannelOpen(ushort channel) => Method(channel, 20, 10, a => a.ShortString(""));

    public static byte[] ChannelOpenOk(ushort channel) => Method(channel, 20, 11, a => a.LongString(""u8));

    public static byte[] ChannelClose(ushort channel, ushort code, string text, ushort classId = 0, ushort methodId = 0) =>
        Method(channel, 20, 40, a => a.Short(code).ShortString(text).Short(classId).Short(methodId));

    public static byte[] ChannelCloseOk(ushort channel) => Method(channel, 20, 41);

    public static byte[] ConnectionClose(ushort code, string text) => Method(0, 10, 50, a => a.Short(code).ShortString(text).Short(0).Short(0));

    public static byte[] ConnectionCloseOk() => Method(0, 10, 51);

    public static byte[] QueueDeclare(ushort channel, string queue, bool passive = false, bool noWait = false) =>
        Method(channel, 50, 10, a => a.Short(0).ShortString(queue).Bits(passive, false, false, false, noWait).Table());

    public static byte[] QueueDeclareOk(ushort channel, string queue, uint messages, uint consumers) =>
        Method(channel, 50, 11, a => a.ShortString(queue).Long(messages).Long(consumers));

    public static byte[] Publish(ushort channel, string exchange, string routingKey) =>
        Method(channel, 60, 40, a => a.Short(0).ShortString(exchange).ShortString(routingKey).Bits(false, false));

    public static byte[] Deliver(ushort channel, string consumerTag, ulong deliveryTag, string exchange, string routingKey) =>
        Method(channel, 60, 60, a => a.ShortString(consumerTag).LongLong(deliveryTag).Bits(false).ShortString(exchange).ShortString(routingKey));

    public static byte[] Get(ushort channel, string queue) => Method(channel, 60, 70, a => a.Short(0).ShortString(queue).Bits(true));

    public static byte[] GetOk(ushort channel, ulong deliveryTag, string exchange, string routingKey, uint messageCount) =>
        Method(channel, 60, 71, a => a.LongLong(deliveryTag).Bits(false).ShortString(exchange).ShortString(routingKey).Long(messageCount));

    public static byte[] GetEmpty(ushort channel) => Method(channel, 60, 72, a => a.ShortString(""));

    public static byte[] Consume(ushort channel, string queue, string tag) =>
        Method(channel, 60, 20, a => a.Short(0).ShortString(queue).ShortString(tag).Bits(false, false, false, false).Table());

    public static byte[] ConsumeOk(ushort channel, string tag) => Method(channel, 60, 21, a => a.ShortString(tag));

    public static byte[] Ack(ushort channel, ulong deliveryTag, bool multiple = false) => Method(channel, 60, 80, a => a.LongLong(deliveryTag).Bits(multiple));

    public static byte[] Nack(ushort channel, ulong deliveryTag, bool multiple = false) => Method(channel, 60, 120, a => a.LongLong(deliveryTag).Bits(multiple, true));

    public static byte[] ConfirmSelect(ushort channel) => Method(channel, 85, 10, a => a.Bits(false));

    public static byte[] ConfirmSelectOk(ushort channel) => Method(channel, 85, 11);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static ParserDriver Driver(AmqpParserOptions? options = null, bool multiSegment = false, ConnectionRole? role = null)
    {
        IProtocolParser parser = new AmqpParser(options ?? new AmqpParserOptions());
        return new ParserDriver(role is { } r ? new RoleOverrideParser(parser, r) : parser, multiSegment);
    }

    public static List<AmqpRecord> Records(this ParserDriver driver) => driver.Context.Records.Cast<AmqpRecord>().ToList();

    /// <summary>Every field that a split or a segment boundary could change, on one line.</summary>
    public static string Describe(AmqpRecord r) =>
        $"{r.Channel}|{r.Method}|{r.Reply}|{r.Exchange}|{r.ExchangeType}|{r.RoutingKey}|{r.Queue}|{r.ConsumerTag}|{r.DeliveryTag}|{r.Multiple}|" +
        $"{r.MessageCount}|{r.ConsumerCount}|{r.ReplyCode}|{r.ReplyText}|{r.FailedMethod}|{r.VirtualHost}|{r.Mechanism}|{r.Secret}|" +
        $"{r.PublishSequence}|{r.BodySize}|{r.ContentType}|{r.DeliveryMode}|{r.MessageId}|{r.Body}|{r.DataLost}|{r.Role}|{r.RequestTime:O}|{r.ResponseTime:O}";

    public static string DescribeAll(this ParserDriver driver) => string.Join("\n", driver.Records().Select(Describe));

    public static void Send(this ParserDriver driver, byte[] bytes, DateTimeOffset? time = null) => driver.Feed(StreamDirection.Egress, bytes, time);

    public static void Receive(this ParserDriver driver, byte[] bytes, DateTimeOffset? time = null) => driver.Feed(StreamDirection.Ingress, bytes, time);

    /// <summary>Writes method arguments (spec 4.2.5).</summary>
    internal sealed class Args
    {
        private readonly List<byte> _bytes = [];

        public Args Octet(byte value)
        {
            _bytes.Add(value);
            return this;
        }

        public Args Short(ushort value)
        {
            _bytes.Add((byte)(value >> 8));
            _bytes.Add((byte)value);
            return this;
        }

        public Args Long(uint value)
        {
            Short((ushort)(value >> 16));
            return Short((ushort)value);
        }

        public Args LongLong(ulong value)
        {
            Long((uint)(value >> 32));
            return Long((uint)value);
        }

        public Args ShortString(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            _bytes.Add((byte)bytes.Length);
            _bytes.AddRange(bytes);
            return this;
        }

        public Args LongString(ReadOnlySpan<byte> value)
        {
            Long((uint)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        /// <summary>A field table with one string entry (its content is skipped by the parser).</summary>
        public Args Table()
        {
            var entry = new Args().ShortString("x-k").Octet((byte)'S').LongString("v"u8).ToArray();
            return LongString(entry);
        }

        public Args Bits(params bool[] bits)
        {
            byte octet = 0;
            for (int i = 0; i < bits.Length; i++)
            {
                octet |= bits[i] ? (byte)(1 << i) : (byte)0;
            }

            return Octet(octet);
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
