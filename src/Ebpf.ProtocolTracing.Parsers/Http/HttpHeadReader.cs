using System.Buffers;
using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// Turns a head that <see cref="HttpHeadScanner"/> has already validated into strings; only runs once
/// a message is complete enough to become part of a record.
/// </summary>
internal static class HttpHeadReader
{
    /// <summary>Fills the head fields of <paramref name="message"/> from <paramref name="head"/>.</summary>
    /// <param name="message">The message to fill.</param>
    /// <param name="head">The whole head, empty line included.</param>
    /// <param name="scan">What the scanner found in it.</param>
    /// <param name="secretHeaders">Fields whose values are redacted; <see langword="null"/> for none.</param>
    /// <param name="cache">The previous head of the same stream, whose strings are reused where this head repeats them; updated to this head.</param>
    /// <param name="shared">Strings of other connections' heads, taken where the stream has no previous head to reuse.</param>
    public static void Read(HttpMessage message, in ReadOnlySequence<byte> head, in HttpHeadScanner scan, HttpSecretHeaderSet? secretHeaders, HttpHeadStringCache cache, HttpSharedStrings shared)
    {
        if (head.IsSingleSegment)
        {
            Read(message, head.FirstSpan, scan, secretHeaders, cache, shared);
            return;
        }

        int length = (int)head.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            head.CopyTo(rented);
            Read(message, rented.AsSpan(0, length), scan, secretHeaders, cache, shared);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Read(HttpMessage message, ReadOnlySpan<byte> head, in HttpHeadScanner scan, HttpSecretHeaderSet? secretHeaders, HttpHeadStringCache cache, HttpSharedStrings shared)
    {
        int lineEnd = head.IndexOf((byte)'\n');
        var startLine = HttpCharacters.WithoutCarriageReturn(head[..lineEnd]);
        var parts = scan.StartLine;
        message.Version = parts.MinorVersion switch { 1 => "HTTP/1.1", 0 => "HTTP/1.0", _ => Encoding.ASCII.GetString(startLine.Slice(message.Kind == HttpMessageKind.Request ? startLine.Length - 8 : 0, 8)) };
        if (message.Kind == HttpMessageKind.Request)
        {
            message.Method = MethodName(startLine[..parts.MethodLength]);
            var target = startLine.Slice(parts.TargetStart, parts.TargetLength);
            message.Target = cache.Target = cache.Target is null ? shared.Text(target) : HttpHeadStringCache.Reuse(cache.Target, target);
        }
        else
        {
            message.StatusCode = parts.StatusCode;
            message.ReasonPhrase = startLine.Length > 13
                ? cache.ReasonPhrase = cache.ReasonPhrase is null ? shared.Text(startLine[13..]) : HttpHeadStringCache.Reuse(cache.ReasonPhrase, startLine[13..])
                : string.Empty;
        }

        message.Headers = ReadFields(head[(lineEnd + 1)..], scan.HeaderCount, secretHeaders, cache, shared);
    }

    private static HttpHeaders ReadFields(ReadOnlySpan<byte> fields, int count, HttpSecretHeaderSet? secretHeaders, HttpHeadStringCache cache, HttpSharedStrings shared)
    {
        if (count == 0)
        {
            return HttpHeaders.Empty;
        }

        var previousFields = cache.Fields;

        // While every field so far repeats the previous head's (same name, same value, same place), no
        // array is made: a head that repeats all of them gets the previous head's immutable list itself.
        KeyValuePair<string, string>[]? result = null;
        int index = 0;
        while (true)
        {
            int lineEnd = fields.IndexOf((byte)'\n');
            var line = HttpCharacters.WithoutCarriageReturn(fields[..lineEnd]);
            fields = fields[(lineEnd + 1)..];
            if (line.IsEmpty)
            {
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                // obs-fold: RFC 9112 5.2 lets a recipient replace it with a single SP.
                result ??= RepeatedPrefix(previousFields, index, count);
                var previous = result[index - 1];
                var continuation = Encoding.UTF8.GetString(HttpCharacters.TrimWhitespace(line));
                result[index - 1] = new(previous.Key, IsRedacted(previous.Value) ? previous.Value : previous.Value + " " + continuation);
                continue;
            }

            int colon = line.IndexOf((byte)':');
            var nameBytes = line[..colon];
            var valueBytes = HttpCharacters.TrimWhitespace(line[(colon + 1)..]);
            string name;
            string value;
            if (index < previousFields.Length && previousFields[index].Key is { } previousName
                && previousName.Length == nameBytes.Length && Ascii.Equals(nameBytes, previousName))
            {
                // Same field as in the previous head: the name's redaction verdict is the same too.
                name = previousName;
                var previousValue = previousFields[index].Value;
                value = IsRedacted(previousValue) ? previousValue : HttpHeadStringCache.Reuse(previousValue, valueBytes);
                if (result is null && ReferenceEquals(value, previousValue))
                {
                    index++;
                    continue;
                }
            }
            else
            {
                // Not where the previous head had it (or no previous head): likely what another
                // connection's head said, so shared strings are tried before decoding.
                name = shared.Name(nameBytes);
                value = secretHeaders is not null && secretHeaders.Contains(name)
                    ? HttpParserOptions.RedactedValue
                    : shared.Text(valueBytes);
            }

            result ??= RepeatedPrefix(previousFields, index, count);
            result[index++] = new(name, value);
        }

        if (result is null && index == previousFields.Length && cache.Headers is { } repeated)
        {
            return repeated;
        }

        result ??= RepeatedPrefix(previousFields, index, count);
        var headers = new HttpHeaders(result);
        cache.Fields = result;
        cache.Headers = headers;
        return headers;
    }

    /// <summary>A new field array whose first <paramref name="repeated"/> entries are the previous head's.</summary>
    private static KeyValuePair<string, string>[] RepeatedPrefix(KeyValuePair<string, string>[] previousFields, int repeated, int count)
    {
        var result = new KeyValuePair<string, string>[count];
        previousFields.AsSpan(0, repeated).CopyTo(result);
        return result;
    }

    private static bool IsRedacted(string value) => ReferenceEquals(value, HttpParserOptions.RedactedValue);

    private static string MethodName(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ => Encoding.ASCII.GetString(method),
    };
}
