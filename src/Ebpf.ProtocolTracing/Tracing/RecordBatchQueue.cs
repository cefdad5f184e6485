using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Ebpf.ProtocolTracing;

/// <summary>
/// The records between the event reader thread and the readers of <see cref="ProtocolTracer.ReadRecordsAsync"/>:
/// the records of one poll go in as one batch, so a reader that keeps up is woken once per poll. A
/// channel of single records woke it several times per poll (it drained the first records while the
/// rest were still being written, then waited again), and each wake-up is a thread-pool work item.
/// </summary>
/// <remarks>
/// Holds at most a capacity of records not yet handed out; a batch that does not fit is cut and the
/// newest records are dropped (the caller counts them). A reader that stops in the middle of a batch
/// leaves the rest for the next reader.
/// </remarks>
internal sealed class RecordBatchQueue
{
    private readonly Channel<Batch> _batches = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions
    {
        SingleWriter = true,
        SingleReader = false,
        AllowSynchronousContinuations = false,
    });

    // Batches a reader stopped in the middle of; older than anything in the channel, so read first.
    private readonly ConcurrentQueue<Batch> _leftovers = new();
    private readonly int _capacity;
    private long _buffered;

    public RecordBatchQueue(int capacity) => _capacity = capacity;

    /// <summary>Records written and not yet handed to a reader.</summary>
    public long Buffered => Volatile.Read(ref _buffered);

    /// <summary>Hands <paramref name="records"/> to the readers as one batch; returns how many did not fit.</summary>
    public int Publish(List<ProtocolRecord> records)
    {
        var pending = CollectionsMarshal.AsSpan(records);
        var room = _capacity - Volatile.Read(ref _buffered);
        var taken = (int)Math.Clamp(room, 0, pending.Length);
        if (taken > 0)
        {
            Interlocked.Add(ref _buffered, taken);
            if (!_batches.Writer.TryWrite(new Batch(pending[..taken].ToArray())))
            {
                // Completed: nobody will read these.
                Interlocked.Add(ref _buffered, -taken);
                return pending.Length;
            }
        }

        return pending.Length - taken;
    }

    /// <summary>No more records: readers end once they have read the rest (with <paramref name="failure"/> thrown, if given).</summary>
    public void Complete(Exception? failure = null) => _batches.Writer.TryComplete(failure);

    /// <summary>The records in order, until <see cref="Complete"/> and the last of them.</summary>
    public async IAsyncEnumerable<ProtocolRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A read cancelled before it began takes nothing, even when records wait.
        cancellationToken.ThrowIfCancellationRequested();
        Batch? batch = null;
        try
        {
            while (true)
            {
                if (!TryTake(out batch))
                {
                    if (await _batches.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_leftovers.IsEmpty)
                        continue;
                    yield break;
                }

                while (batch.TryTake(out var record))
                {
                    Interlocked.Decrement(ref _buffered);
                    yield return record;
                }

                batch = null;
            }
        }
        finally
        {
            if (batch is { IsEmpty: false })
                _leftovers.Enqueue(batch);
        }
    }

    private bool TryTake([NotNullWhen(true)] out Batch? batch) =>
        _leftovers.TryDequeue(out batch) || _batches.Reader.TryRead(out batch);

    private sealed class Batch(ProtocolRecord[] records)
    {
        private int _next;

        public bool IsEmpty => _next == records.Length;

        public bool TryTake([NotNullWhen(true)] out ProtocolRecord? record)
        {
            if (_next == records.Length)
            {
                record = null;
                return false;
            }

            record = records[_next];
            // Handed out: the batch no longer keeps it alive.
            records[_next++] = null!;
            return true;
        }
    }
}
