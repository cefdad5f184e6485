using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Commands and replies of every RESP type become records with the right fields.</summary>
public sealed class RedisParserExchangeTests
{
    [Theory]
    [InlineData("+OK\r\n", "\"OK\"", false)]
    [InlineData("-ERR unknown command 'FOO'\r\n", "ERR unknown command 'FOO'", true)]
    [InlineData(":5\r\n", "(integer) 5", false)]
    [InlineData(":-12\r\n", "(integer) -12", false)]
    [InlineData("$5\r\nhello\r\n", "\"hello\"", false)]
    [InlineData("$0\r\n\r\n", "\"\"", false)]
    [InlineData("$-1\r\n", "(nil)", false)]
    [InlineData("*-1\r\n", "(nil)", false)]
    [InlineData("*3\r\n$1\r\na\r\n:2\r\n*1\r\n+x\r\n", "[3 items]", false)]
    [InlineData("*0\r\n", "[0 items]", false)]
    [InlineData("_\r\n", "(nil)", false)]
    [InlineData("#t\r\n", "(true)", false)]
    [InlineData("#f\r\n", "(false)", false)]
    [InlineData(",3.14\r\n", "(double) 3.14", false)]
    [InlineData(",-inf\r\n", "(double) -inf", false)]
    [InlineData("(3492890328409238509324850943850943825024385\r\n", "(big number) 3492890328409238509324850943850943825024385", false)]
    [InlineData("!21\r\nSYNTAX invalid syntax\r\n", "SYNTAX invalid syntax", true)]
    [InlineData("=15\r\ntxt:Some string\r\n", "\"Some string\"", false)]
    [InlineData("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "{2 pairs}", false)]
    [InlineData("~2\r\n+a\r\n+b\r\n", "(set) [2 items]", false)]
    [InlineData("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n", "[2 items]", false)]
    [InlineData("$4\r\na\"\x01\n\r\n", "\"a\\\"\\x01\\n\"", false)]
    public void EveryReplyType_IsRenderedCompactly(string reply, string rendered, bool isError)
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("GET", "k"));
        driver.Receive(reply);

        var record = Assert.Single(driver.Records());
        Assert.Equal("GET", record.Command);
        Assert.Equal(["k"], record.Arguments);
        Assert.Equal("k", record.Key);
        Assert.Equal(rendered, record.Reply);
        Assert.Equal(isError, record.IsError);
        Assert.Equal(reply.Length, record.ReplySize);
        Assert.False(record.DataLost);
        Assert.Equal(ConnectionRole.Client, record.Role);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void Pipelined_commands_get_their_replies_in_order()
    {
        var driver = Resp.Driver();
        var t0 = RecordingParseContext.Epoch;
        driver.Send(Resp.Command("SET", "a", "1") + Resp.Command("INCR", "a") + Resp.Command("GET", "missing") + Resp.Command("LRANGE", "l", "0", "-1"), t0);
        driver.Receive("+OK\r\n:2\r\n$-1\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", t0.AddMilliseconds(3));

        var records = driver.Records();
        Assert.Equal(["SET", "INCR", "GET", "LRANGE"], records.Select(r => r.Command));
        Assert.Equal(["\"OK\"", "(integer) 2", "(nil)", "[2 items]"], records.Select(r => r.Reply));
        Assert.Equal(["OK", "OK", "nil", "OK"], records.Select(r => r.Outcome));
        Assert.All(records, r => Assert.Equal(TimeSpan.FromMilliseconds(3), r.Latency));
        Assert.Equal(Resp.Command("SET", "a", "1").Length, records[0].RequestSize);
    }

    [Fact]
    public void Multi_exec_attaches_queued_replies_and_the_exec_array()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("MULTI") + Resp.Command("SET", "a", "1") + Resp.Command("INCR", "a") + Resp.Command("EXEC"));
        driver.Receive("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n");

        var records = driver.Records();
        Assert.Equal(["MULTI", "SET", "INCR", "EXEC"], records.Select(r => r.Command));
        Assert.Equal(["\"OK\"", "\"QUEUED\"", "\"QUEUED\"", "[2 items]"], records.Select(r => r.Reply));
        Assert.Null(records[3].Key);
    }

    [Fact]
    public void Container_commands_carry_their_subcommand_and_inline_commands_parse()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("config", "get", "maxmemory") + "PING\r\n" + "set  k   v\r\n");
        driver.Receive("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n+PONG\r\n+OK\r\n");

        var records = driver.Records();
        Assert.Equal(["CONFIG GET", "PING", "SET"], records.Select(r => r.Command));
        Assert.Equal(["maxmemory"], records[0].Arguments);
        Assert.Null(records[0].Key);
        Assert.Equal(["k", "v"], records[2].Arguments);
        Assert.Equal("k", records[2].Key);
    }

    [Fact]
    public void Resp2_pubsub_confirmations_attach_to_subscribe_and_messages_are_records_of_their_own()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("SUBSCRIBE", "news", "sport"));
        driver.Receive("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n");
        driver.Receive("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
        driver.Send(Resp.Command("PSUBSCRIBE", "n*"));
        driver.Receive("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
        driver.Send(Resp.Command("UNSUBSCRIBE"));
        driver.Receive("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$5\r\nsport\r\n:1\r\n");
        driver.Send(Resp.Command("PUNSUBSCRIBE"));
        driver.Receive("*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n");
        // Not subscribed any more: an array reply that starts with "message" is a reply.
        driver.Send(Resp.Command("LRANGE", "l", "0", "-1"));
        driver.Receive("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n");

        var records = driver.Records();
        Assert.Equal(["SUBSCRIBE", "MESSAGE", "PSUBSCRIBE", "PMESSAGE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "LRANGE"], records.Select(r => r.Command));
        Assert.Equal(2, records[0].ReplyCount);
        Assert.Equal("(integer) 2", records[0].Reply);
        Assert.True(records[1].IsPush);
        Assert.Equal(["news"], records[1].Arguments);
        Assert.Equal("news", records[1].Key);
        Assert.Equal("\"hello\"", records[1].Reply);
        Assert.Null(records[1].Latency);
        Assert.Equal(["n*", "news"], records[3].Arguments);
        Assert.Equal("\"hi\"", records[3].Reply);
        Assert.Equal(2, records[4].ReplyCount);
        Assert.Equal("(integer) 1", records[4].Reply);
        Assert.Equal("(integer) 0", records[5].Reply);
        Assert.False(records[6].IsPush);
        Assert.Equal("[3 items]", records[6].Reply);
    }

    [Fact]
    public void Resp3_pushes_confirm_subscriptions_and_interleave_with_replies()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("HELLO", "3"));
        driver.Receive("%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n");
        driver.Send(Resp.Command("SUBSCRIBE", "ch"));
        driver.Receive(">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        driver.Send(Resp.Command("GET", "k"));
        driver.Receive(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nbye\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\nv\r\n");

        var records = driver.Records();
        Assert.Equal(["HELLO", "SUBSCRIBE", "MESSAGE", "INVALIDATE", "GET"], records.Select(r => r.Command));
        Assert.Equal("{1 pair}", records[0].Reply);
        Assert.Equal("(integer) 1", records[1].Reply);
        Assert.True(records[2].IsPush);
        Assert.Equal("\"bye\"", records[2].Reply);
        Assert.Equal("[1 item]", records[3].Reply);
        Assert.Equal("\"v\"", records[4].Reply);
    }

    [Fact]
    public void Client_reply_off_and_skip_commands_are_emitted_without_replies()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("CLIENT", "REPLY", "SKIP") + Resp.Command("SET", "a", "1") + Resp.Command("GET", "a"));
        driver.Receive("$1\r\n1\r\n");
        driver.Send(Resp.Command("CLIENT", "REPLY", "OFF") + Resp.Command("SET", "b", "2") + Resp.Command("CLIENT", "REPLY", "ON"));
        driver.Receive("+OK\r\n");

        var records = driver.Records();
        Assert.Equal(["CLIENT REPLY", "SET", "GET", "CLIENT REPLY", "SET", "CLIENT REPLY"], records.Select(r => r.Command));
        Assert.Equal([null, null, "\"1\"", null, null, "\"OK\""], records.Select(r => r.Reply));
        Assert.All(records, r => Assert.False(r.DataLost));
    }

    [Fact]
    public void Arguments_and_replies_are_cut_at_the_limits_with_their_real_sizes()
    {
        var driver = Resp.Driver(new RedisParserOptions { MaxArguments = 2, MaxArgumentLength = 4, MaxReplyLength = 3 });
        driver.Send(Resp.Command("MSET", "key1", "0123456789", "k2", "v2"));
        driver.Receive("$10\r\nabcdefghij\r\n");

        var record = Assert.Single(driver.Records());
        Assert.Equal(["key1", "0123…(10 bytes)"], record.Arguments);
        Assert.Equal(4, record.ArgumentCount);
        Assert.Equal("\"abc…\" (10 bytes)", record.Reply);
        Assert.Contains("(+2 args)", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_invalid()
    {
        var driver = Resp.Driver(new RedisParserOptions { MaxNestingDepth = 3 });
        driver.Send(Resp.Command("GET", "k"));
        driver.Receive("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n");
        Assert.True(driver.InvalidCount > 0);

        var fine = Resp.Driver(new RedisParserOptions { MaxNestingDepth = 3 });
        fine.Send(Resp.Command("GET", "k"));
        fine.Receive("*1\r\n*1\r\n*1\r\n:1\r\n");
        Assert.Equal("[1 item]", Assert.Single(fine.Records()).Reply);
    }

    [Fact]
    public void Commands_without_replies_are_emitted_on_complete_and_server_side_role_is_server()
    {
        var driver = Resp.Driver();
        // Seen from the server: commands arrive (ingress); the test context says Client, so swap roles by direction.
        driver.Send(Resp.Command("BLPOP", "q", "0"));
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Equal("BLPOP", record.Command);
        Assert.Null(record.Reply);
        Assert.Null(record.Outcome);
        Assert.Equal(0, record.ReplyCount);
    }

    [Fact]
    public void Summary_members_describe_the_exchange()
    {
        var driver = Resp.Driver();
        driver.Send(Resp.Command("HGET", "user:1", "name"));
        driver.Receive("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        ProtocolRecord record = Assert.Single(driver.Records());
        Assert.Equal("redis", record.Protocol);
        Assert.Equal("HGET", record.Operation);
        Assert.Equal("user:1", record.Resource);
        Assert.Equal("WRONGTYPE", record.Outcome);
        Assert.True(record.IsError);
        Assert.StartsWith("redis HGET user:1 name -> WRONGTYPE", record.ToString(), StringComparison.Ordinal);
    }
}
