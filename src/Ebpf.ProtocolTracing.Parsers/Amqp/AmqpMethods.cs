namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>
/// The class and method ids of AMQP 0-9-1 with RabbitMQ's extensions
/// (https://www.rabbitmq.com/resources/specs/amqp0-9-1.xml), their names, and which methods wait for
/// which reply.
/// </summary>
internal static class AmqpMethods
{
    public const ushort Connection = 10;
    public const ushort Channel = 20;
    public const ushort Exchange = 40;
    public const ushort Queue = 50;
    public const ushort Basic = 60;
    public const ushort Confirm = 85;
    public const ushort Tx = 90;

    /// <summary>Method ids shared by name across classes: close (connection 50, channel 40) and its reply.</summary>
    public const ushort ConnectionStart = 10;
    public const ushort ConnectionStartOk = 11;
    public const ushort ConnectionSecure = 20;
    public const ushort ConnectionSecureOk = 21;
    public const ushort ConnectionClose = 50;
    public const ushort ConnectionUpdateSecret = 70;
    public const ushort ChannelClose = 40;
    public const ushort BasicPublish = 40;
    public const ushort BasicReturn = 50;
    public const ushort BasicDeliver = 60;
    public const ushort BasicGet = 70;
    public const ushort BasicGetOk = 71;
    public const ushort BasicGetEmpty = 72;
    public const ushort BasicAck = 80;
    public const ushort BasicNack = 120;
    public const ushort ConfirmSelect = 10;
    public const ushort ConfirmSelectOk = 11;

    /// <summary>The class's name, e.g. <c>queue</c>; <see langword="null"/> for an unknown class.</summary>
    public static string? ClassName(ushort classId) => classId switch
    {
        Connection => "connection",
        Channel => "channel",
        Exchange => "exchange",
        Queue => "queue",
        Basic => "basic",
        Confirm => "confirm",
        Tx => "tx",
        _ => null,
    };

    /// <summary>The method's name within its class, e.g. <c>declare-ok</c>; <see langword="null"/> for an unknown method.</summary>
    public static string? MethodName(ushort classId, ushort methodId) => classId switch
    {
        Connection => methodId switch
        {
            10 => "start", 11 => "start-ok", 20 => "secure", 21 => "secure-ok", 30 => "tune", 31 => "tune-ok",
            40 => "open", 41 => "open-ok", 50 => "close", 51 => "close-ok", 60 => "blocked", 61 => "unblocked",
            70 => "update-secret", 71 => "update-secret-ok", _ => null,
        },
        Channel => methodId switch
        {
            10 => "open", 11 => "open-ok", 20 => "flow", 21 => "flow-ok", 40 => "close", 41 => "close-ok", _ => null,
        },
        Exchange => methodId switch
        {
            10 => "declare", 11 => "declare-ok", 20 => "delete", 21 => "delete-ok", 30 => "bind", 31 => "bind-ok",
            40 => "unbind", 51 => "unbind-ok", _ => null,
        },
        Queue => methodId switch
        {
            10 => "declare", 11 => "declare-ok", 20 => "bind", 21 => "bind-ok", 30 => "purge", 31 => "purge-ok",
            40 => "delete", 41 => "delete-ok", 50 => "unbind", 51 => "unbind-ok", _ => null,
        },
        Basic => methodId switch
        {
            10 => "qos", 11 => "qos-ok", 20 => "consume", 21 => "consume-ok", 30 => "cancel", 31 => "cancel-ok",
            40 => "publish", 50 => "return", 60 => "deliver", 70 => "get", 71 => "get-ok", 72 => "get-empty",
            80 => "ack", 90 => "reject", 100 => "recover-async", 110 => "recover", 111 => "recover-ok", 120 => "nack",
            _ => null,
        },
        Confirm => methodId switch { 10 => "select", 11 => "select-ok", _ => null },
        Tx => methodId switch
        {
            10 => "select", 11 => "select-ok", 20 => "commit", 21 => "commit-ok", 30 => "rollback", 31 => "rollback-ok", _ => null,
        },
        _ => null,
    };

    /// <summary>Whether the id pair names a method of AMQP 0-9-1 or RabbitMQ's extensions.</summary>
    public static bool IsKnown(ushort classId, ushort methodId) => MethodName(classId, methodId) is not null;

    /// <summary>Whether the method is a synchronous request: the peer answers it with a reply method (unless no-wait was set).</summary>
    public static bool IsRequest(ushort classId, ushort methodId) => classId switch
    {
        Connection => methodId is 10 or 20 or 30 or 40 or 50 or 70,
        Channel => methodId is 10 or 20 or 40,
        Exchange => methodId is 10 or 20 or 30 or 40,
        Queue => methodId is 10 or 20 or 30 or 40 or 50,
        Basic => methodId is 10 or 20 or 30 or 70 or 110,
        Confirm or Tx => methodId is 10 or 20 or 30,
        _ => false,
    };

    /// <summary>Whether the method answers a synchronous request.</summary>
    public static bool IsReply(ushort classId, ushort methodId) => classId switch
    {
        Connection => methodId is 11 or 21 or 31 or 41 or 51 or 71,
        Channel => methodId is 11 or 21 or 41,
        Exchange => methodId is 11 or 21 or 31 or 51,
        Queue => methodId is 11 or 21 or 31 or 41 or 51,
        Basic => methodId is 11 or 21 or 31 or 71 or 72 or 111,
        Confirm or Tx => methodId is 11 or 21 or 31,
        _ => false,
    };

    /// <summary>Whether <paramref name="replyId"/> of the same class answers <paramref name="requestId"/>.</summary>
    public static bool Answers(ushort classId, ushort requestId, ushort replyId) =>
        (classId, requestId) switch
        {
            (Exchange, 40) => replyId == 51, // exchange.unbind-ok is 51, not 41
            (Basic, BasicGet) => replyId is BasicGetOk or BasicGetEmpty,
            _ => replyId == requestId + 1,
        };

    /// <summary>Whether a method is followed by a content header and body frames (spec 4.2.6).</summary>
    public static bool CarriesContent(ushort classId, ushort methodId) =>
        classId == Basic && methodId is BasicPublish or BasicReturn or BasicDeliver or BasicGetOk;

    /// <summary>Whether the method closes its channel (or, on channel 0, the connection).</summary>
    public static bool IsClose(ushort classId, ushort methodId) =>
        (classId == Connection && methodId == ConnectionClose) || (classId == Channel && methodId == ChannelClose);

    /// <summary>Whether only a client sends the method (so its sender's side is known).</summary>
    public static bool SentByClientOnly(ushort classId, ushort methodId) => classId switch
    {
        Connection => methodId is 11 or 21 or 31 or 40,
        Channel => methodId == 10,
        Exchange or Queue or Confirm or Tx => IsRequest(classId, methodId),
        Basic => methodId is 10 or 20 or 40 or 70 or 90 or 100 or 110,
        _ => false,
    };

    /// <summary>Whether only a server sends the method.</summary>
    public static bool SentByServerOnly(ushort classId, ushort methodId) => classId switch
    {
        Connection => methodId is 10 or 20 or 30 or 41 or 60 or 61,
        Channel => methodId == 11,
        Exchange or Queue or Confirm or Tx => IsReply(classId, methodId),
        Basic => methodId is 11 or 21 or 50 or 60 or 71 or 72 or 111,
        _ => false,
    };
}
