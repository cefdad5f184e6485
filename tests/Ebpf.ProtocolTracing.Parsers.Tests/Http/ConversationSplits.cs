using System.Text;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Feeds a conversation (deliveries in order, each one direction's bytes) to a <see cref="ParserDriver"/>
/// whole, with one delivery cut in two, or a byte at a time; and asserts that every cut of every delivery
/// gives what the whole delivery gives, since a parser must not depend on where the kernel split a stream.
/// </summary>
internal static class ConversationSplits
{
    /// <summary>A time per delivery, a millisecond apart from <see cref="RecordingParseContext.Epoch"/>, so records carry when each one crossed.</summary>
    public static DateTimeOffset? MillisecondApart(int delivery) => RecordingParseContext.Epoch.AddMilliseconds(delivery);

    /// <summary>The conversation as UTF-8 bytes.</summary>
    public static (StreamDirection Direction, byte[] Bytes)[] Utf8((StreamDirection Direction, string Text)[] conversation) =>
        [.. conversation.Select(delivery => (delivery.Direction, Encoding.UTF8.GetBytes(delivery.Text)))];

    /// <summary>
    /// Feeds every delivery whole, except <paramref name="splitDelivery"/> (none when -1), which goes as two
    /// pieces cut at <paramref name="splitAt"/>; a delivery's time, when <paramref name="timeOf"/> gives one, marks its first piece.
    /// </summary>
    public static void Feed(ParserDriver driver, (StreamDirection Direction, byte[] Bytes)[] conversation, int splitDelivery, int splitAt, Func<int, DateTimeOffset?>? timeOf = null)
    {
        for (int i = 0; i < conversation.Length; i++)
        {
            var (direction, bytes) = conversation[i];
            var time = timeOf?.Invoke(i);
            if (i == splitDelivery)
            {
                driver.Feed(direction, bytes.AsSpan(0, splitAt), time);
                driver.Feed(direction, bytes.AsSpan(splitAt));
            }
            else
            {
                driver.Feed(direction, bytes, time);
            }
        }
    }

    /// <summary>Feeds every delivery one byte at a time; a delivery's time, when <paramref name="timeOf"/> gives one, marks its first byte.</summary>
    public static void FeedByteByByte(ParserDriver driver, (StreamDirection Direction, byte[] Bytes)[] conversation, Func<int, DateTimeOffset?>? timeOf = null)
    {
        for (int i = 0; i < conversation.Length; i++)
        {
            var (direction, bytes) = conversation[i];
            var time = timeOf?.Invoke(i);
            for (int b = 0; b < bytes.Length; b++)
            {
                driver.Feed(direction, bytes.AsSpan(b, 1), b == 0 ? time : null);
            }
        }
    }

    /// <summary>
    /// Asserts that <paramref name="run"/> (given the delivery to cut and where) describes the records of the
    /// whole conversation, which must be something, the same for every cut of every delivery.
    /// </summary>
    public static void AssertEveryCutGivesTheSame(string name, (StreamDirection Direction, byte[] Bytes)[] conversation, Func<int, int, string> run)
    {
        string expected = run(-1, 0);
        Assert.NotEqual(string.Empty, expected);
        for (int delivery = 0; delivery < conversation.Length; delivery++)
        {
            AssertEveryCutGivesTheSame(expected, delivery, conversation[delivery].Bytes.Length, run, name);
        }
    }

    /// <summary>Asserts that every cut (0 to <paramref name="length"/>) of one delivery gives <paramref name="expected"/>.</summary>
    public static void AssertEveryCutGivesTheSame(string expected, int delivery, int length, Func<int, int, string> run, string? name = null)
    {
        string prefix = name is null ? string.Empty : name + ": ";
        for (int at = 0; at <= length; at++)
        {
            string actual = run(delivery, at);
            Assert.True(expected == actual, $"{prefix}delivery {delivery} split at {at}\nexpected {expected}\nactual   {actual}");
        }
    }
}
