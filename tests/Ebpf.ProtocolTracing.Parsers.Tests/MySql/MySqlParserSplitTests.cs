using Ebpf.ProtocolTracing.MySql;

namespace Ebpf.ProtocolTracing.Parsers.Tests.MySql;

/// <summary>Every message split at every byte, and handed over as multi-segment sequences: the same records.</summary>
public sealed class MySqlParserSplitTests
{
    public static TheoryData<int, bool> Splits()
    {
        var data = new TheoryData<int, bool>();
        int longest = MySqlConversations.Full(false).Max(s => s.Bytes.Length);
        for (int split = 1; split < longest; split++)
        {
            data.Add(split, split % 2 == 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void EveryMessageSplitAt(int split, bool deprecateEof)
    {
        var driver = new MySqlParserDriver();
        MySqlConversations.Play(driver, MySqlConversations.Full(deprecateEof), split);
        MySqlParserExchangeTests.AssertFullConversation(driver.Records);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneByteSegments(bool deprecateEof)
    {
        var driver = new MySqlParserDriver(multiSegment: true);
        MySqlConversations.Play(driver, MySqlConversations.Full(deprecateEof));
        MySqlParserExchangeTests.AssertFullConversation(driver.Records);
    }

    [Fact]
    public void OneByteAtATime()
    {
        var driver = new MySqlParserDriver();
        foreach (var (direction, bytes) in MySqlConversations.Full(deprecateEof: true))
        {
            foreach (byte b in bytes)
            {
                driver.Feed(direction, [b]);
            }
        }

        Assert.Equal(10, driver.Records.Count);
        Assert.Equal(["5", "'widget'"], driver.Records[5].Parameters.Select(p => p.ToString()));
        Assert.Equal(3L, driver.Records[1].RowsReturned);
    }
}
