namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// The operations of the NATS client protocol
/// (https://docs.nats.io/reference/reference-protocols/nats-protocol).
/// </summary>
public enum NatsOperation : byte
{
    /// <summary>Server to client: the server's identity and limits.</summary>
    Info = 1,

    /// <summary>Client to server: connection options and credentials.</summary>
    Connect,

    /// <summary>Client to server: publish a message.</summary>
    Pub,

    /// <summary>Client to server: publish a message with headers.</summary>
    HPub,

    /// <summary>Client to server: subscribe to a subject.</summary>
    Sub,

    /// <summary>Client to server: end a subscription, now or after some messages.</summary>
    Unsub,

    /// <summary>Server to client: a message delivered to a subscription.</summary>
    Msg,

    /// <summary>Server to client: a message with headers delivered to a subscription.</summary>
    HMsg,

    /// <summary>Either side: keep-alive probe.</summary>
    Ping,

    /// <summary>Either side: keep-alive answer.</summary>
    Pong,

    /// <summary>Server to client: acknowledgement in verbose mode.</summary>
    Ok,

    /// <summary>Server to client: a protocol error or an authorization failure.</summary>
    Err,
}
