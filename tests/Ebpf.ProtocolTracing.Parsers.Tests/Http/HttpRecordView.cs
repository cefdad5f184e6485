using System.Globalization;
using System.Text;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>A record with its bodies as text, and a canonical dump for comparing whole records.</summary>
internal sealed record HttpRecordView(HttpRecord Record)
{
    public string RequestBodyText => Encoding.UTF8.GetString(Record.RequestBody.Span);

    public string ResponseBodyText => Encoding.UTF8.GetString(Record.ResponseBody.Span);

    /// <summary>Every field, so two parses can be compared exactly.</summary>
    public string Dump()
    {
        var r = Record;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{r.Role}|{r.RequestTime:O}|{r.ResponseTime:O}|lost={r.DataLost}|{r.Method}|{r.Target}|{r.Version}|");
        foreach (var h in r.RequestHeaders)
        {
            text.Append(CultureInfo.InvariantCulture, $"{h.Key}={h.Value};");
        }

        text.Append(CultureInfo.InvariantCulture, $"|body={RequestBodyText}|{r.RequestBodySize}|{r.RequestBodyTruncated}|{r.StatusCode}|{r.ReasonPhrase}|");
        foreach (var h in r.ResponseHeaders)
        {
            text.Append(CultureInfo.InvariantCulture, $"{h.Key}={h.Value};");
        }

        text.Append(CultureInfo.InvariantCulture, $"|body={ResponseBodyText}|{r.ResponseBodySize}|{r.ResponseBodyTruncated}");
        return text.ToString();
    }
}
