namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// Message type bytes and the checks framing relies on.
/// See https://www.postgresql.org/docs/current/protocol-message-formats.html.
/// </summary>
internal static class PostgresMessageTypes
{
    /// <summary>Protocol 3.0 in a StartupMessage.</summary>
    public const int ProtocolVersion3 = 196608;

    /// <summary>The request codes of the untyped messages that are not a StartupMessage.</summary>
    public const int CancelRequestCode = 80877102;

    /// <inheritdoc cref="CancelRequestCode" />
    public const int SslRequestCode = 80877103;

    /// <inheritdoc cref="CancelRequestCode" />
    public const int GssEncRequestCode = 80877104;

    /// <summary>The longest untyped message accepted (the server's own limit is 10000).</summary>
    public const int MaxStartupLength = 10000;

    /// <summary>The longest message accepted: the server refuses anything over 1 GiB.</summary>
    public const int MaxMessageLength = 0x40000000;

    /// <summary>Whether <paramref name="type"/> is a frontend (client) message type.</summary>
    public static bool IsFrontend(byte type) => type is (byte)'Q' or (byte)'P' or (byte)'B' or (byte)'D' or (byte)'E'
        or (byte)'S' or (byte)'H' or (byte)'C' or (byte)'X' or (byte)'F' or (byte)'d' or (byte)'c' or (byte)'f' or (byte)'p';

    /// <summary>Whether <paramref name="type"/> is a backend (server) message type.</summary>
    public static bool IsBackend(byte type) => type is (byte)'R' or (byte)'S' or (byte)'K' or (byte)'Z' or (byte)'T' or (byte)'D'
        or (byte)'C' or (byte)'E' or (byte)'N' or (byte)'I' or (byte)'1' or (byte)'2' or (byte)'3' or (byte)'t' or (byte)'n'
        or (byte)'s' or (byte)'A' or (byte)'G' or (byte)'H' or (byte)'W' or (byte)'d' or (byte)'c' or (byte)'V' or (byte)'v';

    /// <summary>Types only a frontend sends: seeing one tells which direction carries the requests.</summary>
    public static bool IsFrontendOnly(byte type) => type is (byte)'Q' or (byte)'P' or (byte)'B' or (byte)'X' or (byte)'F' or (byte)'p' or (byte)'f';

    /// <summary>Types only a backend sends.</summary>
    public static bool IsBackendOnly(byte type) => type is (byte)'R' or (byte)'K' or (byte)'Z' or (byte)'T' or (byte)'N' or (byte)'I'
        or (byte)'1' or (byte)'2' or (byte)'3' or (byte)'t' or (byte)'n' or (byte)'s' or (byte)'A' or (byte)'G' or (byte)'W' or (byte)'V' or (byte)'v';

    /// <summary>
    /// Whether <paramref name="length"/> (the int32 after the type, counting itself) fits a message of
    /// this type: fixed-size messages must have their size, the others at least their fixed part.
    /// </summary>
    public static bool IsPlausibleLength(byte type, bool frontend, int length)
    {
        if (length < 4 || length > MaxMessageLength)
        {
            return false;
        }

        if (frontend)
        {
            return type switch
            {
                (byte)'S' or (byte)'H' or (byte)'X' or (byte)'c' => length == 4,
                (byte)'Q' or (byte)'f' => length >= 5,
                (byte)'D' or (byte)'C' => length >= 6,
                (byte)'E' => length >= 9,
                (byte)'P' => length >= 8,
                (byte)'B' => length >= 10,
                _ => true,
            };
        }

        return type switch
        {
            (byte)'Z' => length == 5,
            (byte)'1' or (byte)'2' or (byte)'3' or (byte)'n' or (byte)'I' or (byte)'s' or (byte)'c' => length == 4,
            (byte)'K' => length >= 12 && length <= 264,
            (byte)'R' => length >= 8,
            (byte)'D' or (byte)'T' or (byte)'t' => length >= 6,
            (byte)'C' => length >= 5,
            _ => true,
        };
    }

    /// <summary>Whether a message's fields are read (the others are skipped without buffering).</summary>
    public static bool HasUsefulBody(byte type, bool frontend) => frontend
        ? type is (byte)'Q' or (byte)'P' or (byte)'B' or (byte)'D' or (byte)'E' or (byte)'C' or (byte)'p'
        : type is (byte)'R' or (byte)'S' or (byte)'K' or (byte)'Z' or (byte)'C' or (byte)'E' or (byte)'N' or (byte)'t';
}
