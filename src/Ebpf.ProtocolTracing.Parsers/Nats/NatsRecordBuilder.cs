namespace Ebpf.ProtocolTracing.Nats;

/// <summary>Turns a frame (and its answer, when it has one) into a <see cref="NatsRecord"/>.</summary>
internal static class NatsRecordBuilder
{
    public static NatsRecord Build(
        NatsFrame frame,
        ConnectionInfo connection,
        ConnectionRole role,
        DateTimeOffset requestTime,
        NatsFrame? answer,
        DateTimeOffset? answerTime,
        string? subscribedSubject,
        bool dataLost)
    {
        var json = frame.Json;
        return new NatsRecord
        {
            Connection = connection,
            Role = role,
            RequestTime = requestTime,
            ResponseTime = answer is null ? null : answerTime,
            DataLost = dataLost,
            Kind = frame.Operation,
            Subject = frame.Subject ?? subscribedSubject,
            ReplyTo = frame.ReplyTo,
            Sid = frame.Sid,
            QueueGroup = frame.QueueGroup,
            MaxMessages = frame.MaxMessages,
            PayloadSize = frame.HasMessage ? frame.TotalSize - frame.HeaderSize : 0,
            HeaderSize = frame.HeaderSize,
            Payload = frame.Payload,
            Headers = frame.Headers,
            HeaderStatus = frame.HeaderStatus,
            Reply = answer?.Operation switch
            {
                NatsOperation.Ok => "+OK",
                NatsOperation.Pong => "PONG",
                NatsOperation.Err => "-ERR",
                _ => null,
            },
            ErrorMessage = frame.ErrorMessage ?? answer?.ErrorMessage,
            Name = json?.Name,
            ClientLanguage = json?.Language,
            Version = json?.Version,
            Verbose = json?.Verbose,
            ServerId = json?.ServerId,
            MaxPayload = json?.MaxPayload,
            Credentials = json is null ? [] : json.Credentials,
        };
    }
}
