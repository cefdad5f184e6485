using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Recognises the start of a Kafka request (https://kafka.apache.org/protocol#protocol_messages): an
/// INT32 size, a known api key, a small api version, a correlation id and a client id whose length fits.
/// </summary>
internal static class KafkaInference
{
    /// <summary>Smallest request: size, api key, api version, correlation id, client id length.</summary>
    public const int MinRequestBytes = 14;

    /// <summary>Highest api version any api has today, with room to grow.</summary>
    public const short MaxApiVersion = 40;

    /// <summary>Whether <paramref name="data"/> starts with a plausible request header.</summary>
    public static bool LooksLikeRequest(ReadOnlySpan<byte> data, int maxMessageBytes)
    {
        if (data.Length < MinRequestBytes)
        {
            return false;
        }

        int size = BinaryPrimitives.ReadInt32BigEndian(data);
        short apiKey = BinaryPrimitives.ReadInt16BigEndian(data[4..]);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(data[6..]);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(data[8..]);
        short clientIdLength = BinaryPrimitives.ReadInt16BigEndian(data[12..]);
        return size >= MinRequestBytes - 4 && size <= maxMessageBytes
            && KafkaNames.IsKnownApiKey(apiKey)
            && apiVersion is >= 0 and <= MaxApiVersion
            && correlationId >= 0
            && clientIdLength >= -1 && clientIdLength <= size - 10;
    }

    /// <summary>Highest api version a resync accepts (Fetch, the api with most versions, is at 17).</summary>
    public const short MaxResyncApiVersion = 20;

    /// <summary>Longest client id a resync accepts as a request start.</summary>
    public const int MaxResyncClientIdBytes = 255;

    /// <summary>
    /// A stricter test for finding a request after lost bytes, where random data and the insides of other
    /// messages are common: the header must look right, the version must be one real apis have (at most
    /// <see cref="MaxResyncApiVersion"/>) and the client id must be present and printable ASCII. Requests
    /// with an empty or null client id are therefore not resync points; parsing finds them once back in step.
    /// </summary>
    /// <returns><see langword="null"/> when more bytes are needed to tell.</returns>
    public static bool? IsResyncPoint(ReadOnlySpan<byte> data, int maxMessageBytes)
    {
        if (data.Length < MinRequestBytes)
        {
            return null;
        }

        if (!LooksLikeRequest(data, maxMessageBytes))
        {
            return false;
        }

        short clientIdLength = BinaryPrimitives.ReadInt16BigEndian(data[12..]);
        if (clientIdLength is <= 0 or > MaxResyncClientIdBytes || BinaryPrimitives.ReadInt16BigEndian(data[6..]) > MaxResyncApiVersion)
        {
            return false;
        }

        if (data.Length < MinRequestBytes + clientIdLength)
        {
            return null;
        }

        foreach (byte b in data.Slice(MinRequestBytes, clientIdLength))
        {
            if (b < 0x20 || b > 0x7e)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Brokers read a request's 4-byte size on its own, and a connection's bytes are captured only from the
    /// first payload the kernel recognises, so a server's stream can begin with a request that lacks its
    /// size: a known api key, a small version, a correlation id and a printable client id of 1–255 bytes.
    /// The parser then finds its footing at the next whole request.
    /// </summary>
    public static bool LooksLikeRequestWithoutSize(ReadOnlySpan<byte> data)
    {
        if (data.Length < 11)
        {
            return false;
        }

        short apiKey = BinaryPrimitives.ReadInt16BigEndian(data);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(data[2..]);
        short clientIdLength = BinaryPrimitives.ReadInt16BigEndian(data[8..]);
        if (!KafkaNames.IsKnownApiKey(apiKey) || apiVersion is < 0 or > MaxApiVersion || data[4] >= 0x80
            || clientIdLength is < 1 or > MaxResyncClientIdBytes)
        {
            return false;
        }

        var clientId = data.Slice(10, Math.Min(clientIdLength, data.Length - 10));
        foreach (byte b in clientId)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>0…100: how likely the bytes are the start of a Kafka request.</summary>
    public static int Score(ReadOnlySpan<byte> data)
    {
        int withoutSize = LooksLikeRequestWithoutSize(data) ? 60 : 0;
        return Math.Max(ScoreWithSize(data), withoutSize);
    }

    private static int ScoreWithSize(ReadOnlySpan<byte> data)
    {
        if (!LooksLikeRequest(data, int.MaxValue))
        {
            return 0;
        }

        short clientIdLength = BinaryPrimitives.ReadInt16BigEndian(data[12..]);
        if (clientIdLength <= 0 || data.Length < 14 + clientIdLength)
        {
            return 40;
        }

        // A printable client id makes a request far more likely than a coincidence of numbers.
        foreach (byte b in data.Slice(14, clientIdLength))
        {
            if (b < 0x20 || b > 0x7e)
            {
                return 30;
            }
        }

        return 80;
    }
}
