namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>What a <see cref="PostgresRecord"/> stands for: the frontend message that started the exchange.</summary>
public enum PostgresCommand
{
    /// <summary>The startup message and the authentication exchange, up to the first ReadyForQuery.</summary>
    Startup = 0,

    /// <summary>An SSLRequest; the server answers one byte (<c>S</c> or <c>N</c>).</summary>
    SslRequest = 1,

    /// <summary>A GSSENCRequest; the server answers one byte (<c>G</c> or <c>N</c>).</summary>
    GssEncRequest = 2,

    /// <summary>A CancelRequest on a new connection; the server answers nothing.</summary>
    CancelRequest = 3,

    /// <summary>A simple-protocol Query (one or more statements as text).</summary>
    Query = 4,

    /// <summary>An extended-protocol Parse that was not followed by an Execute before its Sync (a prepare).</summary>
    Parse = 5,

    /// <summary>An extended-protocol Execute of a bound portal.</summary>
    Execute = 6,

    /// <summary>A FunctionCall.</summary>
    FunctionCall = 7,
}
