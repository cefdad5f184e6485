namespace Samples.LineProtocol;

/// <summary>How the server answered a line-protocol request.</summary>
public enum LineReplyKind
{
    /// <summary>No reply was seen (the connection closed first, or the reply was lost).</summary>
    None = 0,

    /// <summary><c>VALUE &lt;value&gt;</c>.</summary>
    Value = 1,

    /// <summary><c>NOT_FOUND</c>.</summary>
    NotFound = 2,

    /// <summary><c>ERROR &lt;message&gt;</c>.</summary>
    Error = 3,
}
