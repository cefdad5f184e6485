using Ebpf.ProtocolTracing.Parsing;

namespace Ebpf.ProtocolTracing.Memcached;

/// <summary>
/// Pairs responses with commands: text and meta in order (a quiet meta command whose answer was withheld
/// is passed over when the response cannot be its own), binary by opaque (quiet requests before the
/// answered one got their implied answer).
/// </summary>
internal sealed class MemcachedExchangeMatcher
{
    private readonly IParseContext _context;
    private readonly MemcachedParserOptions _options;
    private readonly List<MemcachedExchange> _pending = [];

    public MemcachedExchangeMatcher(IParseContext context, MemcachedParserOptions options)
    {
        _context = context;
        _options = options;
    }

    public int PendingCount => _pending.Count;

    /// <summary>The traced process's side, set by the connection parser.</summary>
    public ConnectionRole Role { get; set; }

    public void AddCommand(MemcachedFrame command, DateTimeOffset time)
    {
        var exchange = new MemcachedExchange(command, time);
        bool answered = command.Dialect switch
        {
            MemcachedDialect.Binary => command.Opcode != 0x17, // quitq is never answered
            MemcachedDialect.Meta => true,
            _ => !command.NoReply && command.Word != "quit",
        };
        if (!answered)
        {
            Emit(exchange);
            return;
        }

        if (_pending.Count >= _options.MaxPendingCommands)
        {
            var oldest = _pending[0];
            _pending.RemoveAt(0);
            oldest.DataLost = true;
            Emit(oldest);
        }

        _pending.Add(exchange);
    }

    public void AddResponse(MemcachedFrame response, DateTimeOffset time)
    {
        if (response.Dialect == MemcachedDialect.Binary)
        {
            AddBinaryResponse(response, time);
            return;
        }

        while (_pending.Count > 0)
        {
            var head = _pending[0];
            if (head.Command.Dialect == MemcachedDialect.Binary)
            {
                // A text answer cannot be a binary request's: that request lost its answer.
                head.DataLost = true;
                Complete(0);
                continue;
            }

            if (head.Command.Dialect == MemcachedDialect.Meta && head.Command.NoReply && !CouldAnswerQuiet(head.Command, response))
            {
                Implied(head);
                Complete(0);
                continue;
            }

            head.Answered(time);
            if (IsFailure(response.Word))
            {
                head.Status = response.Word;
                head.ErrorMessage = response.Message;
                head.IsError = true;
                Complete(0);
                return;
            }

            if (head.IsMultiLine)
            {
                switch (response.Word)
                {
                    case "VALUE":
                        head.Hits++;
                        head.ResponseValueSize += Math.Max(0, response.ValueSize);
                        return;
                    case "STAT":
                        return;
                }
            }

            head.Status = response.Word;
            if (response.Word is "VA")
            {
                head.Hits = 1;
                head.ResponseValueSize = Math.Max(0, response.ValueSize);
            }
            else if (response.Word is "HD" && head.Command.Word == "mg")
            {
                head.Hits = 1;
            }
            else if (response.Word == "VERSION")
            {
                head.Status = "VERSION " + response.Message;
            }

            Complete(0);
            return;
        }
    }

    /// <summary>A stream lost its place: waiting commands may never see their own responses.</summary>
    public void OnLost()
    {
        foreach (var exchange in _pending)
        {
            exchange.DataLost = true;
        }

        Flush();
    }

    public void Complete() => Flush();

    private void AddBinaryResponse(MemcachedFrame response, DateTimeOffset time)
    {
        int index = -1;
        for (int i = 0; i < _pending.Count; i++)
        {
            var command = _pending[i].Command;
            if (command.Dialect == MemcachedDialect.Binary && command.Opaque == response.Opaque)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return;
        }

        // Everything before the answered request was either quiet and succeeded silently, or lost its answer.
        for (int i = 0; i < index; i++)
        {
            var earlier = _pending[0];
            if (earlier.Command.NoReply)
            {
                Implied(earlier);
            }
            else
            {
                earlier.DataLost = true;
            }

            Complete(0);
        }

        var exchange = _pending[0];
        exchange.Answered(time);
        if (exchange.Command.Opcode == MemcachedBinary.StatOpcode && response.KeyCount > 0 && response.Status == 0)
        {
            // One response per statistic; the one without a key ends them.
            return;
        }

        exchange.Status = MemcachedBinary.StatusName(response.Status);
        exchange.IsError = MemcachedBinary.IsErrorStatus(response.Status);
        if (response.Status == 0 && MemcachedBinary.IsRetrieval(exchange.Command.Opcode))
        {
            exchange.Hits = 1;
            exchange.ResponseValueSize = Math.Max(0, response.ValueSize);
        }

        Complete(0);
    }

    /// <summary>What a quiet command's silence means: a miss for retrievals, success for the rest.</summary>
    private static void Implied(MemcachedExchange exchange)
    {
        var command = exchange.Command;
        exchange.Status = command.Dialect == MemcachedDialect.Binary
            ? MemcachedBinary.IsRetrieval(command.Opcode) ? "KeyNotFound" : "NoError"
            : command.Word == "mg" ? "EN" : "HD";
    }

    /// <summary>Whether a response can be a quiet meta command's own (its withheld answers never come).</summary>
    private static bool CouldAnswerQuiet(MemcachedFrame command, MemcachedFrame response)
    {
        if (IsFailure(response.Word))
        {
            return true;
        }

        if (command.Opaque is not null && response.Opaque is not null)
        {
            return command.Opaque == response.Opaque;
        }

        return command.Word switch
        {
            "mg" => response.Word is "VA" or "HD",
            "ms" => response.Word is "NS" or "EX" or "NF",
            "md" => response.Word is "NF" or "EX",
            "ma" => response.Word is "VA" or "NF" or "NS" or "EX",
            _ => false,
        };
    }

    private static bool IsFailure(string word) => word is "ERROR" or "CLIENT_ERROR" or "SERVER_ERROR";

    private void Complete(int index)
    {
        var exchange = _pending[index];
        _pending.RemoveAt(index);
        Emit(exchange);
    }

    private void Flush()
    {
        // A quiet command with nothing after it keeps no status: only a later answer proves its silence.
        foreach (var exchange in _pending)
        {
            Emit(exchange);
        }

        _pending.Clear();
    }

    private void Emit(MemcachedExchange exchange) => _context.Emit(exchange.ToRecord(_context.Connection, Role));
}
