namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// Decides, argument by argument and before its bytes are decoded, whether a command argument is a
/// secret: the password of <c>AUTH [user] pass</c>, <c>HELLO … AUTH user pass</c>,
/// <c>MIGRATE … AUTH pass</c> / <c>AUTH2 user pass</c>, the value of <c>CONFIG SET</c> for
/// password parameters, and <c>ACL SETUSER</c> password rules (<c>&gt;pass</c>, <c>&lt;pass</c>, <c>#hash</c>, <c>!hash</c>).
/// </summary>
/// <remarks>Indexes count the command name as 0. Arguments arrive in order, so earlier ones are known.</remarks>
internal struct RedisRedaction
{
    private Rule _rule;
    private long _count;
    private long _secretAt;

    private enum Rule : byte
    {
        None,
        Auth,
        Hello,
        Migrate,
        Config,
        ConfigSet,
        Acl,
        AclSetUser,
    }

    /// <summary>A new command with <paramref name="count"/> elements, name included.</summary>
    public void Begin(long count)
    {
        _rule = Rule.None;
        _count = count;
        _secretAt = -1;
    }

    /// <summary>Whether element <paramref name="index"/> must not be decoded at all.</summary>
    public readonly bool IsSecret(long index) =>
        index == _secretAt || (_rule == Rule.Auth && index >= 1 && index == _count - 1);

    /// <summary>Whether element <paramref name="index"/>, starting with <paramref name="first"/>, is a secret only its content shows.</summary>
    public readonly bool IsSecretByContent(long index, byte first) =>
        _rule == Rule.AclSetUser && index >= 3 && first is (byte)'>' or (byte)'<' or (byte)'#' or (byte)'!';

    /// <summary>Element <paramref name="index"/> was read; <paramref name="word"/> is all of it when short, else empty.</summary>
    public void OnArgument(long index, ReadOnlySpan<byte> word)
    {
        if (index == 0)
        {
            _rule = Is(word, "AUTH"u8) ? Rule.Auth
                : Is(word, "HELLO"u8) ? Rule.Hello
                : Is(word, "MIGRATE"u8) ? Rule.Migrate
                : Is(word, "CONFIG"u8) ? Rule.Config
                : Is(word, "ACL"u8) ? Rule.Acl
                : Rule.None;
            return;
        }

        switch (_rule)
        {
            case Rule.Config when index == 1:
                _rule = Is(word, "SET"u8) ? Rule.ConfigSet : Rule.None;
                break;
            case Rule.Acl when index == 1:
                _rule = Is(word, "SETUSER"u8) ? Rule.AclSetUser : Rule.None;
                break;
            case Rule.Hello when Is(word, "AUTH"u8):
                _secretAt = index + 2;
                break;
            case Rule.Migrate when Is(word, "AUTH"u8):
                _secretAt = index + 1;
                break;
            case Rule.Migrate when Is(word, "AUTH2"u8):
                _secretAt = index + 2;
                break;
            case Rule.ConfigSet when index % 2 == 0 && IsSecretParameter(word):
                _secretAt = index + 1;
                break;
        }
    }

    private static bool IsSecretParameter(ReadOnlySpan<byte> word) =>
        Is(word, "requirepass"u8) || Is(word, "masterauth"u8) || Is(word, "tls-key-file-pass"u8)
        || Is(word, "tls-client-key-file-pass"u8) || Is(word, "sentinel-pass"u8);

    private static bool Is(ReadOnlySpan<byte> word, ReadOnlySpan<byte> keyword)
    {
        if (word.Length != keyword.Length)
        {
            return false;
        }

        for (int i = 0; i < word.Length; i++)
        {
            if ((word[i] | 0x20) != (keyword[i] | 0x20))
            {
                return false;
            }
        }

        return true;
    }
}
