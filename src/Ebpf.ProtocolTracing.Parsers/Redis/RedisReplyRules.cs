namespace Ebpf.ProtocolTracing.Redis;

/// <summary>
/// Which replies a command gets: none after <c>CLIENT REPLY OFF</c> (until <c>ON</c>) or for the command
/// after <c>CLIENT REPLY SKIP</c> (https://redis.io/docs/latest/commands/client-reply/); one
/// confirmation per channel for (un)subscribe commands; one reply otherwise.
/// </summary>
internal struct RedisReplyRules
{
    /// <summary>Stands for "until the subscription count reaches 0" (unsubscribe from all).</summary>
    public const int UntilNoSubscriptions = -1;

    private bool _off;
    private bool _skipNext;

    /// <summary>How many replies the command will get (0: none).</summary>
    public int ExpectedReplies(RedisCommandInfo command)
    {
        if (command.Command == "CLIENT REPLY" && command.Arguments.Length > 0)
        {
            var mode = command.Arguments[0];
            if (mode.Equals("ON", StringComparison.OrdinalIgnoreCase))
            {
                _off = false;
                _skipNext = false;
                return 1;
            }

            if (mode.Equals("OFF", StringComparison.OrdinalIgnoreCase))
            {
                _off = true;
                return 0;
            }

            if (mode.Equals("SKIP", StringComparison.OrdinalIgnoreCase))
            {
                _skipNext = !_off;
                return 0;
            }
        }

        if (_off)
        {
            return 0;
        }

        if (_skipNext)
        {
            _skipNext = false;
            return 0;
        }

        if (command.IsSubscription)
        {
            return command.ArgumentCount > 0 ? (int)Math.Min(command.ArgumentCount, int.MaxValue)
                : command.IsUnsubscribe ? UntilNoSubscriptions : 1;
        }

        return 1;
    }
}
