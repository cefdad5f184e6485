namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// Decodes a content header frame's payload (spec 4.2.6.1): class id, weight, body size, the property
/// flags (bit 15 first; bit 0 says another flags word follows) and the present properties in flag order.
/// </summary>
internal static class AmqpContentHeaderDecoder
{
    private const int ContentType = 1 << 15;
    private const int ContentEncoding = 1 << 14;
    private const int Headers = 1 << 13;
    private const int DeliveryMode = 1 << 12;
    private const int Priority = 1 << 11;
    private const int CorrelationId = 1 << 10;
    private const int ReplyTo = 1 << 9;
    private const int Expiration = 1 << 8;
    private const int MessageId = 1 << 7;
    private const int Timestamp = 1 << 6;
    private const int Type = 1 << 5;
    private const int UserId = 1 << 4;
    private const int AppId = 1 << 3;

    /// <summary>Decodes the header; <see langword="null"/> when the payload is too short for its fixed part.</summary>
    public static AmqpContentHeader? Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new AmqpWireReader(payload);
        ushort classId = reader.Short();
        reader.Short(); // weight, always 0
        ulong bodySize = reader.LongLong();
        int flags = reader.Short();
        if (!reader.Ok)
        {
            return null;
        }

        var header = new AmqpContentHeader { ClassId = classId, BodySize = bodySize };

        // Only the basic class has properties a record shows; others keep the size alone.
        if (classId != AmqpMethods.Basic)
        {
            return header;
        }

        header.ContentType = Has(flags, ContentType) ? reader.ShortString() : null;
        header.ContentEncoding = Has(flags, ContentEncoding) ? reader.ShortString() : null;
        if (Has(flags, Headers))
        {
            header.HeadersBytes = reader.LongStringBytes().Length;
        }

        header.DeliveryMode = Has(flags, DeliveryMode) ? reader.Octet() : null;
        header.Priority = Has(flags, Priority) ? reader.Octet() : null;
        header.CorrelationId = Has(flags, CorrelationId) ? reader.ShortString() : null;
        header.ReplyTo = Has(flags, ReplyTo) ? reader.ShortString() : null;
        header.Expiration = Has(flags, Expiration) ? reader.ShortString() : null;
        header.MessageId = Has(flags, MessageId) ? reader.ShortString() : null;
        header.Timestamp = Has(flags, Timestamp) ? reader.LongLong() : null;
        header.Type = Has(flags, Type) ? reader.ShortString() : null;
        header.UserId = Has(flags, UserId) ? reader.ShortString() : null;
        header.AppId = Has(flags, AppId) ? reader.ShortString() : null;
        return header;
    }

    private static bool Has(int flags, int flag) => (flags & flag) != 0;
}
