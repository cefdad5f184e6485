using System.Text;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Samples;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Wire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>Requests and responses stitched per stream, gRPC calls, resets, GOAWAY, limits and redaction.</summary>
public sealed class Http2ParserExchangeTests
{
    [Fact]
    public void Get_is_one_http2_record_with_pseudo_headers_bodies_and_latency()
    {
        var driver = Http2Run.Whole(Conversations["get"], complete: false);
        var record = Assert.IsType<HttpRecord>(Assert.Single(driver.Context.Records));
        Assert.Equal("HTTP/2", record.Version);
        Assert.Equal("GET", record.Method);
        Assert.Equal("/index.html?q=1", record.Target);
        Assert.Equal("example.com", record.Authority);
        Assert.Equal("http", record.Scheme);
        Assert.Equal(1, record.StreamId);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("text/plain", record.ResponseHeaders["content-type"]);
        Assert.Equal("hello world", Encoding.ASCII.GetString(record.ResponseBody.Span));
        Assert.Equal(11, record.ResponseBodySize);
        Assert.Equal(ConnectionRole.Client, record.Role);
        Assert.Equal(Http2Run.TimeOf(3), record.RequestTime);
        Assert.Equal(TimeSpan.FromMilliseconds(10), record.Latency);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Secrets_are_redacted_everywhere_unless_disabled()
    {
        var driver = Http2Run.Whole(Conversations["get"]);
        var record = Assert.IsType<HttpRecord>(Assert.Single(driver.Context.Records));
        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["authorization"]);
        Assert.Equal(HttpParserOptions.RedactedValue, record.RequestHeaders["cookie"]);
        Assert.Equal(HttpParserOptions.RedactedValue, record.ResponseHeaders["set-cookie"]);
        string everything = Describe(record) + record + string.Join(",", record.RequestHeaders) + record.RequestHeaders + record.ResponseHeaders;
        Assert.DoesNotContain("s3cr3t", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("c00kie", everything, StringComparison.Ordinal);

        var plain = Http2Run.Whole(Conversations["get"], new Http2ParserOptions { RedactSecrets = false });
        Assert.Equal("Bearer s3cr3t-t0ken", Assert.IsType<HttpRecord>(Assert.Single(plain.Context.Records)).RequestHeaders["authorization"]);
    }

    [Fact]
    public void Padding_priority_continuation_and_huffman_are_read()
    {
        var driver = Http2Run.Whole(Conversations["post-padded-continuation"]);
        var record = Assert.IsType<HttpRecord>(Assert.Single(driver.Context.Records));
        Assert.Equal("POST", record.Method);
        Assert.Equal("/upload", record.Target);
        Assert.Equal("example.org", record.Authority);
        Assert.Equal("7", record.RequestHeaders["content-length"]);
        Assert.Equal("payload", Encoding.ASCII.GetString(record.RequestBody.Span));
        Assert.Equal(7, record.RequestBodySize);
        Assert.Equal(204, record.StatusCode);
        Assert.False(record.DataLost);
    }

    [Fact]
    public void Grpc_unary_call_is_a_grpc_record_with_messages_rendered()
    {
        var driver = Http2Run.Whole(Conversations["grpc-unary"], complete: false);
        var call = Assert.IsType<GrpcRecord>(Assert.Single(driver.Context.Records));
        Assert.Equal("greet.Greeter", call.Service);
        Assert.Equal("SayHello", call.Method);
        Assert.Equal("/greet.Greeter/SayHello", call.Path);
        Assert.Equal("localhost:5000", call.Authority);
        Assert.Equal(200, call.HttpStatus);
        Assert.Equal(0, call.StatusCode);
        Assert.Equal("OK", call.Outcome);
        Assert.False(call.IsError);
        Assert.Equal(GrpcCallKind.Unary, call.Kind);
        Assert.Equal(1, call.RequestMessageCount);
        Assert.Equal(1, call.ResponseMessageCount);
        Assert.Equal(HelloRequest, call.RequestMessages[0].Data.ToArray());
        Assert.Equal("1: \"world\"", call.RequestMessages[0].Text);
        Assert.Equal("1: \"hello world\" 2: 150", call.ResponseMessages[0].Text);
        Assert.Equal("0", call.Trailers["grpc-status"]);
        Assert.False(call.DataLost);
        Assert.Equal(ConnectionRole.Client, call.Role);
    }

    [Fact]
    public void Grpc_streaming_calls_count_messages_each_way_and_read_status_from_trailers()
    {
        var driver = Http2Run.Whole(Conversations["grpc-streams"], complete: false);
        var calls = driver.Context.Records.Cast<GrpcRecord>().ToList();
        Assert.Equal(2, calls.Count);

        var lots = Assert.Single(calls, c => c.Method == "Lots");
        Assert.Equal((1, 3), (lots.RequestMessageCount, lots.ResponseMessageCount));
        Assert.Equal(GrpcCallKind.ServerStreaming, lots.Kind);
        Assert.Equal(0, lots.StatusCode);

        var chat = Assert.Single(calls, c => c.Method == "Chat");
        Assert.Equal((3, 2), (chat.RequestMessageCount, chat.ResponseMessageCount));
        Assert.Equal(GrpcCallKind.BidiStreaming, chat.Kind);
        Assert.Equal(5, chat.StatusCode);
        Assert.Equal("NOT_FOUND", chat.Outcome);
        Assert.Equal("no such thing", chat.StatusMessage);
        Assert.True(chat.IsError);
        Assert.Equal(3, chat.RequestMessages.Count);
    }

    [Fact]
    public void Client_streaming_and_trailers_only_error()
    {
        var conversation = ClientStart().Concat(new (StreamDirection, byte[])[]
        {
            (Out, Concat(GrpcRequestHeaders(1, "/up.Load/Many"), Data(1, GrpcMessage(HelloRequest)), Data(1, GrpcMessage(HelloRequest)), Data(1, GrpcMessage([], compressed: true), endStream: true))),
            (In, Concat(OkResponse(1, "application/grpc"), Data(1, GrpcMessage(HelloReply)), GrpcTrailers(1, 0))),
            (Out, Concat(GrpcRequestHeaders(3, "/up.Load/Denied"), Data(3, GrpcMessage(HelloRequest), endStream: true))),
            (In, Headers(3, HpackTestEncoder.Block((":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "7"), ("grpc-message", "denied")), endStream: true)),
        }).ToArray();
        var calls = Http2Run.Whole(conversation, complete: false).Context.Records.Cast<GrpcRecord>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(GrpcCallKind.ClientStreaming, calls[0].Kind);
        Assert.Equal(3, calls[0].RequestMessageCount);
        Assert.True(calls[0].RequestMessages[2].Compressed);
        Assert.Null(calls[0].RequestMessages[2].Text);
        Assert.Equal(7, calls[1].StatusCode);
        Assert.Equal("PERMISSION_DENIED", calls[1].Outcome);
        Assert.Equal("denied", calls[1].StatusMessage);
        Assert.Equal(0, calls[1].ResponseMessageCount);
    }

    [Fact]
    public void Reset_stream_and_goaway_give_records_with_their_error()
    {
        var driver = Http2Run.Whole(Conversations["resets-and-goaway"], complete: false);
        var records = driver.Context.Records.Cast<HttpRecord>().ToList();
        Assert.Equal(3, records.Count);
        var cancelled = Assert.Single(records, r => r.Target == "/cancelled");
        Assert.Equal("CANCEL", cancelled.ResetError);
        Assert.Null(cancelled.StatusCode);
        var ok = Assert.Single(records, r => r.Target == "/slow");
        Assert.Null(ok.ResetError);
        Assert.Equal(200, ok.StatusCode);
        var never = Assert.Single(records, r => r.Target == "/never");
        Assert.Equal("GOAWAY NO_ERROR", never.ResetError);
        Assert.Equal(0, ((Http2ConnectionParser)driver.Parser).OpenStreamCount);
    }

    [Fact]
    public void Server_side_role_interim_response_and_push_promise()
    {
        var conversation = new (StreamDirection, byte[])[]
        {
            (In, Concat(Preface, Settings())),
            (Out, Settings()),
            (In, Headers(1, HpackTestEncoder.Block((":method", "GET"), (":scheme", "https"), (":path", "/page"), (":authority", "a")), endStream: true)),
            (Out, Concat(
                Headers(1, HpackTestEncoder.Block((":status", "103"), ("link", "</style.css>"))),
                PushPromise(1, 2, HpackTestEncoder.Block((":method", "GET"), (":scheme", "https"), (":path", "/style.css"), (":authority", "a"))),
                OkResponse(1, "text/html"), Data(1, "<html/>"u8, endStream: true),
                OkResponse(2, "text/css"), Data(2, "p{}"u8, endStream: true))),
        };
        var records = Http2Run.Whole(conversation).Context.Records.Cast<HttpRecord>().ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(ConnectionRole.Server, r.Role));
        Assert.Equal(("/page", 200), (records[0].Target, records[0].StatusCode));
        Assert.Equal("text/html", records[0].ResponseHeaders["content-type"]);
        Assert.Equal(("/style.css", 200, 2), (records[1].Target, records[1].StatusCode, records[1].StreamId));
        Assert.Equal("p{}", Encoding.ASCII.GetString(records[1].ResponseBody.Span));
    }

    [Fact]
    public void Frame_larger_than_the_advertised_max_frame_size_is_invalid()
    {
        var driver = Http2Run.Driver();
        driver.Feed(In, Settings((0x5, 16384)));
        driver.Feed(Out, Concat(Preface, Settings(), GetRequest(1, "/")));
        Assert.Equal(0, driver.InvalidCount);
        driver.Feed(Out, Data(1, new byte[16385]));
        Assert.Equal(1, driver.InvalidCount);

        // A max below the RFC minimum is itself invalid.
        var other = Http2Run.Driver();
        other.Feed(In, Settings((0x5, 100)));
        Assert.Equal(1, other.InvalidCount);
    }

    [Fact]
    public void Header_blocks_and_control_frames_are_bounded()
    {
        var options = new Http2ParserOptions { MaxHeaderBlockBytes = 1024 };
        var driver = Http2Run.Driver(options);
        driver.Feed(Out, Concat(Preface, Settings()));
        // Byte by byte, so what the parser leaves unconsumed while it waits is measured at every point.
        foreach (byte b in Headers(1, HpackTestEncoder.Block((":method", "GET"), ("x-big", new string('a', 2000))), endStream: true))
        {
            driver.Feed(Out, [b]);
        }

        Assert.True(driver.InvalidCount >= 1);
        Assert.True(driver.MaxBuffered <= 1024 + 9 + 64, $"buffered {driver.MaxBuffered}");
    }

    [Fact]
    public void Open_streams_are_bounded_and_the_oldest_is_evicted_as_lost()
    {
        var options = new Http2ParserOptions { MaxOpenStreams = 4 };
        var driver = Http2Run.Driver(options);
        driver.Feed(Out, Concat(Preface, Settings()));
        for (int i = 0; i < 10; i++)
        {
            driver.Feed(Out, GetRequest(1 + (2 * i), "/r" + i));
        }

        var parser = (Http2ConnectionParser)driver.Parser;
        Assert.Equal(4, parser.OpenStreamCount);
        Assert.Equal(6, parser.EvictedStreamCount);
        var evicted = driver.Context.Records.Cast<HttpRecord>().ToList();
        Assert.Equal(6, evicted.Count);
        Assert.All(evicted, r => Assert.True(r.DataLost));
        Assert.Equal("/r0", evicted[0].Target);
    }

    [Fact]
    public void Table_size_update_and_settings_header_table_size_are_honoured()
    {
        var driver = Http2Run.Driver();
        driver.Feed(In, Settings((0x1, 256)));
        driver.Feed(Out, Concat(Preface, Settings()));
        var first = new HpackTestEncoder().SizeUpdate(256).Add(":method", "GET").Add(":path", "/a").Add("x-one", new string('1', 150)).ToArray();
        driver.Feed(Out, Headers(1, first, endStream: true));

        // x-one (155 + 32) and :path /a (7 + 32) fit in 256 only until x-two arrives: :path is evicted.
        var second = new HpackTestEncoder().Add(":method", "GET").Add("x-two", new string('2', 20)).Indexed(63).ToArray();
        driver.Feed(Out, Headers(3, second, endStream: true));
        Assert.Equal(0, driver.InvalidCount);

        // A size update above SETTINGS_HEADER_TABLE_SIZE breaks the block: its stream gives no record and the
        // table is no longer trusted, so a later reference to it comes out unknown rather than wrong.
        driver.Feed(Out, Headers(5, new HpackTestEncoder().SizeUpdate(512).Add(":method", "GET").ToArray(), endStream: true));
        driver.Feed(Out, Headers(7, new HpackTestEncoder().Add(":method", "GET").Indexed(62).ToArray(), endStream: true));
        Assert.Equal(0, driver.InvalidCount);
        driver.Complete();
        var records = driver.Context.Records.Cast<HttpRecord>().ToList();
        Assert.Equal(3, records.Count);
        Assert.Equal("/a", records[0].Target);
        Assert.Equal(new string('1', 150), records[1].RequestHeaders["x-one"]);
        Assert.Equal(7, records[2].StreamId);
        Assert.True(records[2].DataLost);
        Assert.Contains(records[2].RequestHeaders, h => h.Key == "[unknown]");
    }
}
