namespace Ebpf.ProtocolTracing.Amqp;

/// <summary>The reply codes of AMQP 0-9-1 (spec 1.9, "constants"), by the names the spec gives them.</summary>
internal static class AmqpReplyCodes
{
    /// <summary>The code of a normal close.</summary>
    public const ushort Success = 200;

    public static string? Name(ushort code) => code switch
    {
        200 => "REPLY_SUCCESS",
        311 => "CONTENT_TOO_LARGE",
        312 => "NO_ROUTE",
        313 => "NO_CONSUMERS",
        320 => "CONNECTION_FORCED",
        402 => "INVALID_PATH",
        403 => "ACCESS_REFUSED",
        404 => "NOT_FOUND",
        405 => "RESOURCE_LOCKED",
        406 => "PRECONDITION_FAILED",
        501 => "FRAME_ERROR",
        502 => "SYNTAX_ERROR",
        503 => "COMMAND_INVALID",
        504 => "CHANNEL_ERROR",
        505 => "UNEXPECTED_FRAME",
        506 => "RESOURCE_ERROR",
        530 => "NOT_ALLOWED",
        540 => "NOT_IMPLEMENTED",
        541 => "INTERNAL_ERROR",
        _ => null,
    };
}
