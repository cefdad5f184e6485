using System.Collections.Frozen;

namespace Ebpf.ProtocolTracing.Redis;

/// <summary>A command as the record shows it: name (and subcommand), arguments, first key.</summary>
internal sealed class RedisCommandInfo
{
    /// <summary>Commands whose first argument is a subcommand (https://redis.io/docs/latest/commands/).</summary>
    private static readonly FrozenSet<string> Containers = FrozenSet.Create(
        StringComparer.Ordinal,
        "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY", "MEMORY", "MODULE",
        "OBJECT", "PUBSUB", "SCRIPT", "SENTINEL", "SLOWLOG", "XGROUP", "XINFO");

    /// <summary>Commands without a key (or channel) as their first argument.</summary>
    private static readonly FrozenSet<string> Keyless = FrozenSet.Create(
        StringComparer.Ordinal,
        "AUTH", "HELLO", "PING", "ECHO", "SELECT", "QUIT", "RESET", "MULTI", "EXEC", "DISCARD", "UNWATCH", "INFO",
        "DBSIZE", "FLUSHDB", "FLUSHALL", "TIME", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "SHUTDOWN", "MONITOR",
        "SYNC", "PSYNC", "REPLCONF", "WAIT", "WAITAOF", "ROLE", "SWAPDB", "RANDOMKEY", "SCAN", "READONLY", "READWRITE",
        "FAILOVER", "REPLICAOF", "SLAVEOF", "LOLWUT", "MIGRATE", "XREAD", "XREADGROUP", "EVAL", "EVALSHA", "EVAL_RO",
        "EVALSHA_RO", "FCALL", "FCALL_RO", "BITOP", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE");

    /// <summary>Commands that start or end pub/sub subscriptions; their confirmations are counted per channel.</summary>
    private static readonly FrozenSet<string> SubscriptionCommands = FrozenSet.Create(
        StringComparer.Ordinal,
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE");

    private RedisCommandInfo(string name, string command, string[] arguments, long argumentCount, string? key)
    {
        Name = name;
        Command = command;
        Arguments = arguments;
        ArgumentCount = argumentCount;
        Key = key;
    }

    /// <summary>The command's name, upper-cased (no subcommand).</summary>
    public string Name { get; }

    /// <summary>The name with its subcommand, e.g. <c>CONFIG SET</c>.</summary>
    public string Command { get; }

    public string[] Arguments { get; }

    public long ArgumentCount { get; }

    public string? Key { get; }

    /// <summary>Whether the command (un)subscribes: its replies are one confirmation per channel.</summary>
    public bool IsSubscription => SubscriptionCommands.Contains(Name);

    /// <summary>Whether the command ends subscriptions.</summary>
    public bool IsUnsubscribe => Name.Contains("UNSUBSCRIBE", StringComparison.Ordinal);

    /// <summary>Reads the command in a value from the command side.</summary>
    public static RedisCommandInfo From(RespValue value, int maxArguments, int maxArgumentLength)
    {
        string name = value.TextAt(0)?.ToUpperInvariant() ?? "?";
        long count = value.Value.Size;
        bool container = Containers.Contains(name) && value.TextAt(1) is not null;
        string command = container ? name + " " + value.TextAt(1)!.ToUpperInvariant() : name;
        int first = container ? 2 : 1;

        int kept = Math.Max(0, Math.Min(value.Elements.Count - first, maxArguments));
        var arguments = new string[kept];
        for (int i = 0; i < kept; i++)
        {
            arguments[i] = value.Elements[first + i].AsArgument(maxArgumentLength);
        }

        string? key = KeyIndex(name, container, value) is int index && index < value.Elements.Count
            && !value.Elements[index].Redacted
            ? value.Elements[index].AsArgument(maxArgumentLength)
            : null;
        return new RedisCommandInfo(name, command, arguments, Math.Max(0, count - first), key);
    }

    private static int? KeyIndex(string name, bool container, RespValue value)
    {
        if (container)
        {
            // OBJECT ENCODING key, MEMORY USAGE key; other subcommands take no key first.
            return name is "OBJECT" or "MEMORY" ? 2 : null;
        }

        if (name is "EVAL" or "EVALSHA" or "EVAL_RO" or "EVALSHA_RO" or "FCALL" or "FCALL_RO")
        {
            return value.TextAt(2) is { } keys && keys != "0" ? 3 : null;
        }

        if (name == "BITOP")
        {
            return 2;
        }

        return Keyless.Contains(name) ? null : 1;
    }
}
