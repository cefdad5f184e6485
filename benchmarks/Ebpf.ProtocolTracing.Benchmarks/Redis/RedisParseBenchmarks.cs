using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ebpf.ProtocolTracing.Benchmarks.Common;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Benchmarks.Redis;

/// <summary>
/// The full Redis path on one long-lived connection: frame the commands and replies, pair them, build
/// the <see cref="RedisRecord"/>s. Divide the allocation by <see cref="PipelineDepth"/> for bytes per record.
/// </summary>
[MemoryDiagnoser]
public class RedisParseBenchmarks
{
    /// <summary>Exchanges in one pipelined batch (a SET and a GET each count as one).</summary>
    public const int PipelineDepth = 16;

    private const int LargeValueBytes = 1024 * 1024;

    private ParserExchange _connection = null!;
    private ReadOnlySequence<byte> _commands;
    private ReadOnlySequence<byte> _replies;
    private ReadOnlySequence<byte> _largeGet;
    private ReadOnlySequence<byte> _largeReply;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new ParserExchange(new RedisParser());
        var commands = new StringBuilder();
        var replies = new StringBuilder();
        for (int i = 0; i < PipelineDepth / 2; i++)
        {
            commands.Append(Command("SET", $"user:{i}:name", "a value of some thirty-two bytes"));
            replies.Append("+OK\r\n");
            commands.Append(Command("GET", $"user:{i}:name"));
            replies.Append("$32\r\na value of some thirty-two bytes\r\n");
        }

        _commands = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(commands.ToString()));
        _replies = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(replies.ToString()));
        _largeGet = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Command("GET", "blob")));
        var large = new byte[LargeValueBytes + 32];
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"${LargeValueBytes}\r\n"));
        header.CopyTo(large, 0);
        large.AsSpan(header.Length, LargeValueBytes).Fill((byte)'x');
        "\r\n"u8.CopyTo(large.AsSpan(header.Length + LargeValueBytes));
        _largeReply = new ReadOnlySequence<byte>(large, 0, header.Length + LargeValueBytes + 2);

        ParserExchange.ExpectRecords(nameof(PipelinedExchanges), PipelinedExchanges(), PipelineDepth);
        ParserExchange.ExpectRecords(nameof(LargeBulkReply), LargeBulkReply(), 1);
    }

    /// <summary>Bytes of one <see cref="PipelinedExchanges"/> call (commands and replies).</summary>
    public long PipelineBytes => _commands.Length + _replies.Length;

    /// <summary>8 SETs and 8 GETs with 32-byte values, sent as one pipeline, then their replies: 16 records.</summary>
    [Benchmark]
    public int PipelinedExchanges() => _connection.Exchange(_commands, _replies);

    /// <summary>A GET whose reply is a 1 MiB bulk string: streamed past, 256 bytes kept.</summary>
    [Benchmark]
    public int LargeBulkReply() => _connection.Exchange(_largeGet, _largeReply);

    private static string Command(params string[] words)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{words.Length}\r\n");
        foreach (var word in words)
        {
            text.Append(CultureInfo.InvariantCulture, $"${word.Length}\r\n{word}\r\n");
        }

        return text.ToString();
    }
}
