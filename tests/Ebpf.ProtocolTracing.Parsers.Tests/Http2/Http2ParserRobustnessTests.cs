using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Samples;
using static Ebpf.ProtocolTracing.Parsers.Tests.Http2.Http2Wire;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http2;

/// <summary>Splits at every byte, multi-segment input, gaps, resync, garbage, truncation and mid-stream joins.</summary>
public sealed class Http2ParserRobustnessTests
{
    public static TheoryData<string> ConversationNames => [.. Conversations.Keys];

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void Every_split_point_gives_the_same_records(string name)
    {
        var conversation = Conversations[name];
        string expected = Describe(Http2Run.Whole(conversation).Context.Records);
        Assert.NotEqual(string.Empty, expected);
        for (int delivery = 0; delivery < conversation.Length; delivery++)
        {
            for (int at = 0; at <= conversation[delivery].Bytes.Length; at++)
            {
                var driver = Http2Run.Driver();
                for (int i = 0; i < conversation.Length; i++)
                {
                    var (direction, bytes) = conversation[i];
                    if (i == delivery)
                    {
                        driver.Feed(direction, bytes.AsSpan(0, at), Http2Run.TimeOf(i));
                        driver.Feed(direction, bytes.AsSpan(at));
                    }
                    else
                    {
                        driver.Feed(direction, bytes, Http2Run.TimeOf(i));
                    }
                }

                driver.Complete();
                Assert.True(expected == Describe(driver.Context.Records), $"{name}: delivery {delivery} split at {at}");
                Assert.Equal(0, driver.InvalidCount);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void One_byte_at_a_time_and_multi_segment_give_the_same_records(string name)
    {
        var conversation = Conversations[name];
        string expected = Describe(Http2Run.Whole(conversation).Context.Records);
        foreach (bool multiSegment in new[] { false, true })
        {
            var driver = Http2Run.Driver(multiSegment: multiSegment);
            for (int i = 0; i < conversation.Length; i++)
            {
                var (direction, bytes) = conversation[i];
                driver.Feed(direction, bytes.AsSpan(0, 1), Http2Run.TimeOf(i));
                for (int b = 1; b < bytes.Length; b++)
                {
                    driver.Feed(direction, bytes.AsSpan(b, 1));
                }
            }

            driver.Complete();
            Assert.Equal(expected, Describe(driver.Context.Records));
        }
    }

    [Fact]
    public void Gap_inside_a_data_payload_is_absorbed_and_sizes_are_kept()
    {
        var driver = Http2Run.Driver();
        foreach (var (direction, bytes) in ClientStart())
        {
            driver.Feed(direction, bytes);
        }

        driver.Feed(Out, GetRequest(1, "/big"));
        var response = Concat(OkResponse(1, "application/octet-stream"), Data(1, new byte[1000], endStream: true));
        int dataStart = response.Length - 1000;
        driver.Feed(In, response.AsSpan(0, dataStart + 100));
        driver.Gap(In, 800);
        driver.Feed(In, response.AsSpan(dataStart + 900));
        var record = Assert.IsType<HttpRecord>(Assert.Single(driver.Context.Records));
        Assert.Equal(1000, record.ResponseBodySize);
        Assert.Equal(100, record.ResponseBody.Length);
        Assert.Equal(0, driver.InvalidCount);
    }

    [Fact]
    public void Gap_between_frames_marks_open_streams_lost_and_resyncs_at_the_next_frame()
    {
        var driver = Http2Run.Driver();
        foreach (var (direction, bytes) in ClientStart())
        {
            driver.Feed(direction, bytes);
        }

        driver.Feed(Out, Concat(GrpcRequestHeaders(1, "/greet.Greeter/SayHello"), Data(1, GrpcMessage(HelloRequest), endStream: true)));
        driver.Feed(In, OkResponse(1, "application/grpc"));
        driver.Gap(In, 37);

        // The tail of a lost frame, then whole frames: resync finds the frame boundary.
        driver.Feed(In, Concat([0x33, 0x44, 0x55], Data(1, GrpcMessage(HelloReply)), GrpcTrailers(1, 0)));
        driver.Feed(Out, Concat(GrpcRequestHeaders(3, "/greet.Greeter/SayHello"), Data(3, GrpcMessage(HelloRequest), endStream: true)));
        driver.Feed(In, Concat(OkResponse(3, "application/grpc"), Data(3, GrpcMessage(HelloReply)), GrpcTrailers(3, 0)));
        var calls = driver.Context.Records.Cast<GrpcRecord>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(calls[0].DataLost);
        Assert.Equal(0, calls[0].StatusCode);

        // After the loss the response table is unknown: the next response's literals still decode.
        Assert.Equal(3, calls[1].StreamId);
        Assert.Equal(0, calls[1].StatusCode);
        Assert.Equal("1: \"hello world\" 2: 150", calls[1].ResponseMessages[0].Text);
    }

    [Fact]
    public void Joining_mid_stream_marks_fields_of_unknown_table_entries_and_learns_new_ones()
    {
        // The encoder's table already holds entries from before the join (62: x-trace a, 63: :path /old).
        var driver = Http2Run.Driver();
        var first = new HpackTestEncoder().Add(":method", "GET").Add(":scheme", "http").Indexed(63).Indexed(62).Add(":path", "/new").ToArray();
        driver.Feed(Out, Headers(7, first, endStream: true));
        driver.Feed(In, Headers(7, HpackTestEncoder.Block((":status", "200")), endStream: true));
        var second = new HpackTestEncoder().Add(":method", "GET").Indexed(62).IndexedName(4, "/x").ToArray();
        driver.Feed(Out, Headers(9, second, endStream: true));
        driver.Feed(In, Headers(9, HpackTestEncoder.Block((":status", "404")), endStream: true));

        var records = driver.Context.Records.Cast<HttpRecord>().ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal(ConnectionRole.Client, records[0].Role);
        Assert.Equal(2, records[0].RequestHeaders.Count(h => h.Key == "[unknown]"));
        Assert.Equal("/new", records[0].RequestHeaders.Last(h => h.Key == ":path").Value);
        Assert.True(records[0].DataLost);

        // 62 is now the ":path /new" learnt after the join: known.
        Assert.Equal("/new", records[1].Target);
        Assert.Equal(404, records[1].StatusCode);
        Assert.False(records[1].DataLost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    public void Garbage_never_throws_and_state_stays_bounded(int seed)
    {
        var random = new Random(seed);
        var options = new Http2ParserOptions { MaxOpenStreams = 16, MaxHeaderBlockBytes = 4096 };
        var driver = Http2Run.Driver(options);
        foreach (var (name, conversation) in Conversations)
        {
            foreach (var (direction, bytes) in conversation)
            {
                var mutated = (byte[])bytes.Clone();
                for (int i = 0; i < mutated.Length; i++)
                {
                    if (random.Next(20) == 0)
                    {
                        mutated[i] = (byte)random.Next(256);
                    }
                }

                driver.Feed(direction, mutated);
                var noise = new byte[random.Next(0, 300)];
                random.NextBytes(noise);
                driver.Feed(direction, noise);
                _ = name;
            }
        }

        var parser = (Http2ConnectionParser)driver.Parser;
        Assert.True(parser.OpenStreamCount <= 16);
        driver.Complete();
        Assert.Equal(0, parser.OpenStreamCount);
        Assert.All(driver.Context.Records, r => Assert.NotNull(r.ToString()));
    }

    [Theory]
    [MemberData(nameof(ConversationNames))]
    public void Truncated_conversations_complete_without_throwing(string name)
    {
        var all = Conversations[name];
        int total = all.Sum(c => c.Bytes.Length);
        for (int cut = 0; cut < total; cut += 7)
        {
            var driver = Http2Run.Driver();
            int left = cut;
            foreach (var (direction, bytes) in all)
            {
                int take = Math.Min(left, bytes.Length);
                driver.Feed(direction, bytes.AsSpan(0, take));
                left -= take;
            }

            driver.Complete();
            Assert.Equal(0, ((Http2ConnectionParser)driver.Parser).OpenStreamCount);
        }
    }

    [Fact]
    public void Frame_start_is_found_after_garbage()
    {
        var bytes = Concat([0xde, 0xad, 0xbe, 0xef, 0x01], Settings((0x3, 100)), Ping());
        Assert.Equal(5, Http2FrameFinder.Find(bytes, 16384));
        Assert.Equal(3, Http2FrameFinder.Find(Concat([1, 2, 3], Preface), 16384));
        Assert.Equal(-1, Http2FrameFinder.Find(new byte[8], 16384));
    }

    [Fact]
    public void Inference_scores_preface_and_frames()
    {
        var parser = new Http2Parser();
        Assert.Equal(100, parser.Infer(Preface, Out));
        Assert.True(parser.Infer(Concat(Settings((0x3, 100)), WindowUpdate(0, 1000)), In) >= 50);
        Assert.True(parser.Infer("GET / HTTP/1.1\r\n\r\n"u8, Out) < 50);
        Assert.True(parser.Infer("*1\r\n$4\r\nPING\r\n"u8, Out) < 50);
    }
}
