using System.Globalization;
using System.Text;
using Ebpf.ProtocolTracing.Parsers.Tests.Http;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Redis;

/// <summary>Builds RESP bytes and drives the Redis parser in tests.</summary>
internal static class Resp
{
    /// <summary>A command as clients send it: an array of bulk strings.</summary>
    public static string Command(params string[] words)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{words.Length}\r\n");
        foreach (var word in words)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n");
        }

        return text.ToString();
    }

    public static string Bulk(string value) => string.Create(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(value)}\r\n{value}\r\n");

    public static ParserDriver Driver(RedisParserOptions? options = null, bool multiSegment = false) =>
        new(new RedisParser(options ?? new RedisParserOptions()), multiSegment);

    public static List<RedisRecord> Records(this ParserDriver driver) => driver.Context.Records.Cast<RedisRecord>().ToList();

    /// <summary>Every field that a split or a segment boundary could change, on one line.</summary>
    public static string Describe(RedisRecord r) =>
        $"{r.Command}|{string.Join(",", r.Arguments)}|{r.ArgumentCount}|{r.Reply}|{r.IsErrorReply}|{r.ReplyCount}|{r.RequestSize}|{r.ReplySize}|{r.IsPush}|{r.Key}|{r.DataLost}|{r.Role}|{r.RequestTime:O}|{r.ResponseTime:O}";

    public static string DescribeAll(this ParserDriver driver) => string.Join("\n", driver.Records().Select(Describe));
}
