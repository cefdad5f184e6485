using Ebpf.ProtocolTracing.Grpc;
using Ebpf.ProtocolTracing.Http2.Hpack;

namespace Ebpf.ProtocolTracing.Http2;

/// <summary>Stream events: header blocks, resets and GOAWAY, and when a stream's record is complete.</summary>
internal sealed partial class Http2ConnectionParser
{
    private void FinishHeaderBlock(StreamDirection direction, Http2DirectionState state)
    {
        // Decoded into one list reused for every block, then copied into a list of exactly the right
        // size for the stream to keep: one array per block instead of every size the list grew through.
        var decodedFields = _decodedFields;
        decodedFields.Clear();
        bool decoded = state.Hpack!.TryDecode(state.Block.AsSpan(0, state.BlockLength), decodedFields);
        state.BlockLength = 0;
        bool tooMany = decodedFields.Count > _options.MaxHeaderCount;
        if (tooMany)
        {
            decodedFields.RemoveRange(_options.MaxHeaderCount, decodedFields.Count - _options.MaxHeaderCount);
        }

        var fields = new List<HpackField>(decodedFields);
        decodedFields.Clear();

        if (state.BlockPromisedStreamId != 0)
        {
            OnPushPromise(direction, state.BlockPromisedStreamId, fields, state.BlockTime, lost: !decoded || tooMany);
            return;
        }

        var stream = GetOrCreate(state.BlockStreamId);
        if (!decoded || tooMany)
        {
            stream.DataLost = true;
        }

        var half = stream.Half(direction);
        half.Seen = true;
        half.FirstHeadersTime ??= state.BlockTime;
        Classify(fields, out bool hasMethod, out int status, out string? contentType);
        if (hasMethod)
        {
            half.IsRequest = true;
            _clientDirection ??= direction;
        }

        if (status >= 0)
        {
            half.IsResponse = true;
            _clientDirection ??= Other(direction);
        }

        if (status is >= 100 and < 200)
        {
            // Informational (RFC 9113 8.1): the final response headers follow.
        }
        else if (half.Headers is null)
        {
            half.Headers = fields;
        }
        else if (half.Trailers is null)
        {
            half.Trailers = fields;
        }
        else
        {
            half.Trailers.AddRange(fields);
        }

        if (!stream.IsGrpc && GrpcHeaders.IsGrpcContentType(contentType))
        {
            stream.IsGrpc = true;
            foreach (var each in stream.Halves)
            {
                each.Grpc ??= new GrpcMessageReader(_options.MaxGrpcMessagesKept, _options.MaxGrpcMessageBytes);
            }
        }

        if (state.BlockEndsStream)
        {
            half.Ended = true;
            TryFinish(stream);
        }
    }

    private void OnPushPromise(StreamDirection direction, int promisedStreamId, List<HpackField> fields, DateTimeOffset time, bool lost)
    {
        // The server sends the request it promises to answer; it counts as the client's half (RFC 9113 8.4).
        var client = Other(direction);
        _clientDirection ??= client;
        var stream = GetOrCreate(promisedStreamId);
        stream.DataLost |= lost;
        var half = stream.Half(client);
        half.Seen = true;
        half.IsRequest = true;
        half.Ended = true;
        half.FirstHeadersTime ??= time;
        half.Headers ??= fields;
    }

    private void OnReset(int streamId, uint code)
    {
        if (_streams.Find(streamId) is not { } stream)
        {
            return;
        }

        var response = stream.Half(Other(Http2RecordBuilder.RequestDirectionOf(stream, _clientDirection)));
        if (code != 0 || !response.Ended)
        {
            stream.ResetError = Http2ErrorCodes.NameOf(code);
        }

        Finish(stream);
    }

    private void OnGoAway(StreamDirection direction, int lastStreamId, uint code)
    {
        // Streams above the last one the sender processed were not (and will not be) handled (RFC 9113 6.8).
        foreach (var stream in _streams.Above(lastStreamId))
        {
            stream.ResetError = "GOAWAY " + Http2ErrorCodes.NameOf(code);
            Finish(stream);
        }

        _ = direction;
    }

    /// <summary>Emits the stream when both sides are done, or the response is done and the request was never seen.</summary>
    private void TryFinish(Http2Stream stream)
    {
        var requestDirection = Http2RecordBuilder.RequestDirectionOf(stream, _clientDirection);
        var request = stream.Half(requestDirection);
        var response = stream.Half(Other(requestDirection));
        if (response.Ended && (request.Ended || !request.Seen))
        {
            Finish(stream);
        }
    }

    private void Finish(Http2Stream stream)
    {
        _streams.Remove(stream);
        _builder.Emit(stream, _clientDirection, lost: false);
    }

    private Http2Stream GetOrCreate(int streamId)
    {
        var stream = _streams.GetOrCreate(streamId, out var evicted);
        if (evicted is not null)
        {
            _builder.Emit(evicted, _clientDirection, lost: true);
        }

        return stream;
    }

    private static void Classify(List<HpackField> fields, out bool hasMethod, out int status, out string? contentType)
    {
        hasMethod = false;
        status = -1;
        contentType = null;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case ":method":
                    hasMethod = true;
                    break;
                case ":status":
                    status = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code) ? code : 0;
                    break;
                case "content-type":
                    contentType = value;
                    break;
            }
        }
    }
}
