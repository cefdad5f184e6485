using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Nats;

/// <summary>What each operation becomes, and how answers are paired.</summary>
public sealed class NatsParserExchangeTests
{
    private static readonly DateTimeOffset T0 = RecordingParseContext.Epoch;

    [Fact]
    public void Info_connect_pub_sub_and_msg_each_become_a_record()
    {
        var driver = NatsWire.Driver();
        driver.Receive(NatsWire.Info, T0);
        driver.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"orders-api\",\"lang\":\".NET\",\"version\":\"2.5.0\",\"headers\":true}\r\n", T0);
        driver.Send("SUB orders.* workers 7\r\n" + NatsWire.Pub("orders.new", "hello", "_INBOX.r1"), T0);
        driver.Receive(NatsWire.Msg("orders.new", "7", "hello", "_INBOX.r1"), T0);
        driver.Send("UNSUB 7 10\r\n", T0);

        var records = driver.Records();
        Assert.Equal(
            [NatsOperation.Info, NatsOperation.Connect, NatsOperation.Sub, NatsOperation.Pub, NatsOperation.Msg, NatsOperation.Unsub],
            records.Select(r => r.Kind));

        var info = records[0];
        Assert.Equal("NABC", info.ServerId);
        Assert.Equal("srv", info.Name);
        Assert.Equal("2.9.10", info.Version);
        Assert.Equal(1048576, info.MaxPayload);
        Assert.Equal("srv", info.Resource);

        var connect = records[1];
        Assert.Equal("orders-api", connect.Name);
        Assert.Equal(".NET", connect.ClientLanguage);
        Assert.False(connect.Verbose);
        Assert.Empty(connect.Credentials);

        var sub = records[2];
        Assert.Equal(("orders.*", "workers", "7"), (sub.Subject, sub.QueueGroup, sub.Sid));

        var pub = records[3];
        Assert.Equal("PUB", pub.Operation);
        Assert.Equal("orders.new", pub.Resource);
        Assert.Equal("_INBOX.r1", pub.ReplyTo);
        Assert.Equal(5, pub.PayloadSize);
        Assert.Equal("hello", pub.Payload);
        Assert.Null(pub.Reply);
        Assert.Null(pub.Outcome);
        Assert.Null(pub.Latency);
        Assert.Equal(ConnectionRole.Client, pub.Role);

        var msg = records[4];
        Assert.Equal(("orders.new", "7", "_INBOX.r1", 5L, "hello"), (msg.Subject, msg.Sid, msg.ReplyTo, msg.PayloadSize, msg.Payload));
        Assert.Equal(ConnectionRole.Client, msg.Role);

        var unsub = records[5];
        Assert.Equal("7", unsub.Sid);
        Assert.Equal(10, unsub.MaxMessages);
        Assert.Equal("orders.*", unsub.Subject);
        Assert.All(records, r => Assert.False(r.DataLost));
    }

    [Fact]
    public void Ping_pairs_with_pong_from_either_side_with_latency()
    {
        var driver = NatsWire.Driver();
        driver.Send("PING\r\n", T0);
        driver.Receive("PING\r\n", T0.AddMilliseconds(1));
        driver.Receive("PONG\r\n", T0.AddMilliseconds(3));
        driver.Send("PONG\r\n", T0.AddMilliseconds(4));

        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(NatsOperation.Ping, r.Kind));
        Assert.All(records, r => Assert.Equal("PONG", r.Reply));
        Assert.Equal(TimeSpan.FromMilliseconds(3), records[0].Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(3), records[1].Latency);
    }

    [Fact]
    public void Verbose_mode_pairs_each_client_operation_with_ok_or_err_in_order()
    {
        var driver = NatsWire.Driver();
        driver.Send("CONNECT {\"verbose\":true}\r\n", T0);
        driver.Send(NatsWire.Pub("a", "1") + "SUB b 1\r\n" + NatsWire.Pub("secret.x", "2"), T0.AddMilliseconds(1));
        Assert.Empty(driver.Records());
        driver.Receive("+OK\r\n+OK\r\n+OK\r\n", T0.AddMilliseconds(2));
        driver.Receive("-ERR 'Permissions Violation for Publish to \"secret.x\"'\r\n", T0.AddMilliseconds(5));

        var records = driver.Records();
        Assert.Equal([NatsOperation.Connect, NatsOperation.Pub, NatsOperation.Sub, NatsOperation.Pub], records.Select(r => r.Kind));
        Assert.Equal(["+OK", "+OK", "+OK", "-ERR"], records.Select(r => r.Reply));
        var refused = records[3];
        Assert.True(refused.IsError);
        Assert.Equal("-ERR", refused.Outcome);
        Assert.Equal("Permissions Violation for Publish to \"secret.x\"", refused.ErrorMessage);
        Assert.Equal(TimeSpan.FromMilliseconds(4), refused.Latency);
    }

    [Fact]
    public void Err_without_a_waiting_operation_is_an_error_record_of_its_own()
    {
        var driver = NatsWire.Driver();
        driver.Send(NatsWire.Pub("a", "x"));
        driver.Receive("-ERR 'Authorization Violation'\r\n");
        var records = driver.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(NatsOperation.Err, records[1].Kind);
        Assert.Equal("-ERR", records[1].Operation);
        Assert.True(records[1].IsError);
        Assert.Equal("Authorization Violation", records[1].ErrorMessage);
    }

    [Fact]
    public void Headers_of_hpub_and_hmsg_are_decoded_and_sized()
    {
        var driver = NatsWire.Driver();
        const string headers = "NATS/1.0\r\nTrace-Id: abc\r\nX-Kind: order\r\n\r\n";
        driver.Send(NatsWire.HPub("orders", headers, "body!", "_INBOX.9"));
        driver.Receive(NatsWire.HMsg("_INBOX.9", "3", "NATS/1.0 503\r\n\r\n", string.Empty));
        var records = driver.Records();
        var hpub = records[0];
        Assert.Equal(NatsOperation.HPub, hpub.Kind);
        Assert.Equal(headers.Length, hpub.HeaderSize);
        Assert.Equal(5, hpub.PayloadSize);
        Assert.Equal("body!", hpub.Payload);
        Assert.Equal([new("Trace-Id", "abc"), new("X-Kind", "order")], hpub.Headers);
        var noResponders = records[1];
        Assert.Equal("503", noResponders.HeaderStatus);
        Assert.Equal("503", noResponders.Outcome);
        Assert.Equal(0, noResponders.PayloadSize);
    }

    [Fact]
    public void Large_payload_is_consumed_as_it_arrives_and_kept_only_up_to_the_limit()
    {
        var driver = NatsWire.Driver(new NatsParserOptions { MaxPayloadBytes = 8 });
        var payload = new string('z', 200_000);
        var text = NatsWire.Pub("big", payload);
        for (int at = 0; at < text.Length; at += 4096)
        {
            driver.Send(text.Substring(at, Math.Min(4096, text.Length - at)));
        }

        var record = Assert.Single(driver.Records());
        Assert.Equal(200_000, record.PayloadSize);
        Assert.Equal("zzzzzzzz", record.Payload);
        Assert.True(driver.MaxBuffered < 64, $"buffered {driver.MaxBuffered} bytes of a payload");
    }

    [Fact]
    public void Lowercase_operations_and_tabs_are_accepted_as_the_server_accepts_them()
    {
        var driver = NatsWire.Driver();
        driver.Send("pub\tlow  2\r\nhi\r\nping\r\n");
        driver.Receive("pong\r\n");
        var records = driver.Records();
        Assert.Equal([NatsOperation.Pub, NatsOperation.Ping], records.Select(r => r.Kind));
        Assert.Equal("low", records[0].Subject);
    }

    [Fact]
    public void Complete_emits_waiting_pings_without_an_answer()
    {
        var driver = NatsWire.Driver();
        driver.Send("PING\r\n");
        driver.Complete();
        var record = Assert.Single(driver.Records());
        Assert.Null(record.Reply);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Record_summary_members_show_the_operation()
    {
        var driver = NatsWire.Driver();
        driver.Send(NatsWire.Pub("orders.new", "x", "_INBOX.1"));
        var record = Assert.Single(driver.Records());
        Assert.Equal("nats", record.Protocol);
        Assert.Equal("nats PUB orders.new reply=_INBOX.1 1 B Client", record.ToString());
    }
}
