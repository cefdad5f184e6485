using System.Globalization;
using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Grpc.Protobuf;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2.Hpack;
using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Turns a finished stream into an <see cref="HttpRecord"/> (version <c>HTTP/2</c>) or a <see cref="GrpcRecord"/>.</summary>
internal sealed class Http2RecordBuilder(IParseContext context, Http2ParserOptions options, ProtobufRenderer? renderer)
{
    /// <summary>The name and value shown for a header field that referenced an unknown dynamic-table entry.</summary>
    internal const string UnknownField = "[unknown]";

    /// <summary>Builds and emits the record of <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="clientDirection">The direction requests travel in, when known.</param>
    /// <param name="lost">Extra reason to mark the record lost (evicted).</param>
    public void Emit(Http2Stream stream, StreamDirection? clientDirection, bool lost)
    {
        var requestDirection = RequestDirectionOf(stream, clientDirection);
        var request = stream.Half(requestDirection);
        var response = stream.Half(requestDirection == StreamDirection.Egress ? StreamDirection.Ingress : StreamDirection.Egress);

        var requestTime = request.FirstHeadersTime ?? response.FirstHeadersTime;
        if (requestTime is null || !(request.IsRequest || response.IsResponse))
        {
            // No request or response header block was read (only DATA, or blocks that did not decode,
            // as after resyncing into bytes that only looked like frames): nothing worth a record.
            return;
        }

        bool unknownFields = HasUnknown(request.Headers) || HasUnknown(response.Headers) || HasUnknown(response.Trailers);
        bool dataLost = lost || stream.DataLost || request.Headers is null || unknownFields
            || (request.Grpc?.Lost ?? false) || (response.Grpc?.Lost ?? false);
        var role = requestDirection == StreamDirection.Egress ? ConnectionRole.Client : ConnectionRole.Server;
        var requestHeaders = ToHeaders(request.Headers);
        var responseHeaders = ToHeaders(response.Headers);
        var trailers = ToHeaders(response.Trailers);
        int? status = ParseInt(responseHeaders[":status"]);

        if (stream.IsGrpc)
        {
            var path = requestHeaders[":path"];
            SplitGrpcPath(path, out var service, out var method);
            var grpcStatus = ParseInt(trailers[GrpcHeaders.Status] ?? responseHeaders[GrpcHeaders.Status]);
            var grpcMessage = trailers[GrpcHeaders.Message] ?? responseHeaders[GrpcHeaders.Message];
            context.Emit(new GrpcRecord
            {
                Connection = context.Connection,
                Role = role,
                RequestTime = requestTime.Value,
                ResponseTime = response.FirstHeadersTime,
                DataLost = dataLost,
                Path = path,
                Service = service,
                Method = method,
                Authority = requestHeaders[":authority"],
                StreamId = stream.Id,
                HttpStatus = status,
                StatusCode = grpcStatus,
                StatusMessage = grpcMessage is null ? null : GrpcHeaders.PercentDecode(grpcMessage),
                ResetError = stream.ResetError,
                RequestHeaders = requestHeaders,
                ResponseHeaders = responseHeaders,
                Trailers = trailers,
                RequestMessageCount = request.Grpc?.Count ?? 0,
                ResponseMessageCount = response.Grpc?.Count ?? 0,
                RequestMessages = request.Grpc?.Build(Renderer(path, input: true)) ?? [],
                ResponseMessages = response.Grpc?.Build(Renderer(path, input: false)) ?? [],
            });
            return;
        }

        bool hasResponse = response.FirstHeadersTime is not null;
        context.Emit(new HttpRecord
        {
            Connection = context.Connection,
            Role = role,
            RequestTime = requestTime.Value,
            ResponseTime = response.FirstHeadersTime,
            DataLost = dataLost,
            Method = requestHeaders[":method"],
            Target = requestHeaders[":path"],
            Authority = requestHeaders[":authority"],
            Scheme = requestHeaders[":scheme"],
            Version = "HTTP/2",
            StreamId = stream.Id,
            ResetError = stream.ResetError,
            RequestHeaders = requestHeaders,
            RequestBody = request.Body.Kept,
            RequestBodySize = request.Body.Size,
            RequestBodyTruncated = request.Body.Truncated,
            StatusCode = status,
            ReasonPhrase = hasResponse ? string.Empty : null,
            ResponseHeaders = responseHeaders,
            ResponseTrailers = trailers,
            ResponseBody = response.Body.Kept,
            ResponseBodySize = response.Body.Size,
            ResponseBodyTruncated = response.Body.Truncated,
        });
    }

    /// <summary>The half with <c>:method</c> is the request; else the side opposite <c>:status</c>; else the known client side.</summary>
    internal static StreamDirection RequestDirectionOf(Http2Stream stream, StreamDirection? clientDirection)
    {
        if (stream.Half(StreamDirection.Egress).IsRequest || stream.Half(StreamDirection.Ingress).IsResponse)
        {
            return StreamDirection.Egress;
        }

        if (stream.Half(StreamDirection.Ingress).IsRequest || stream.Half(StreamDirection.Egress).IsResponse)
        {
            return StreamDirection.Ingress;
        }

        return clientDirection ?? StreamDirection.Egress;
    }

    private Func<ReadOnlyMemory<byte>, string?>? Renderer(string? path, bool input)
    {
        if (renderer is null)
        {
            return null;
        }

        var messageType = renderer.MessageTypeOf(path, input);
        return data => renderer.Render(data.Span, messageType);
    }

    private HttpHeaders ToHeaders(List<HpackField>? fields)
    {
        if (fields is null || fields.Count == 0)
        {
            return HttpHeaders.Empty;
        }

        var pairs = new KeyValuePair<string, string>[fields.Count];
        for (int i = 0; i < pairs.Length; i++)
        {
            var (name, value) = fields[i];
            if (name is not null && value is not null && options.ActiveSecretHeaders is { } secretHeaders && secretHeaders.Contains(name))
            {
                value = HttpParserOptions.RedactedValue;
            }
            else if (name is null && value is not null && options.RedactSecrets)
            {
                // The name is unknown, so it may be a secret one.
                value = HttpParserOptions.RedactedValue;
            }

            pairs[i] = new KeyValuePair<string, string>(name ?? UnknownField, value ?? UnknownField);
        }

        return new HttpHeaders(pairs);
    }

    private static bool HasUnknown(List<HpackField>? fields)
    {
        if (fields is null)
        {
            return false;
        }

        foreach (var field in fields)
        {
            if (field.Name is null || field.Value is null)
            {
                return true;
            }
        }

        return false;
    }

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;

    private static void SplitGrpcPath(string? path, out string? service, out string? method)
    {
        service = method = null;
        if (path is null || path.Length < 3 || path[0] != '/')
        {
            return;
        }

        int slash = path.LastIndexOf('/');
        if (slash <= 1)
        {
            return;
        }

        service = path[1..slash];
        method = path[(slash + 1)..];
    }
}
