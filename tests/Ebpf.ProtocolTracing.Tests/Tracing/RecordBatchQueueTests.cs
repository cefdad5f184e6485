using System.Net;
using Ebpf.ProtocolTracing.Redis;

namespace Ebpf.ProtocolTracing.Tests.Tracing;

public sealed class RecordBatchQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task Records_come_out_in_order_across_batches()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        Assert.Equal(0, queue.Publish(Records(0, 3)));
        Assert.Equal(0, queue.Publish(Records(3, 2)));
        queue.Complete();

        Assert.Equal([0, 1, 2, 3, 4], await ReadAll(queue));
        Assert.Equal(0, queue.Buffered);
    }

    [Fact]
    public async Task A_batch_beyond_the_capacity_is_cut_and_the_newest_records_are_dropped()
    {
        var queue = new RecordBatchQueue(capacity: 4);
        Assert.Equal(0, queue.Publish(Records(0, 3)));
        Assert.Equal(3, queue.Buffered);

        Assert.Equal(2, queue.Publish(Records(3, 3)));
        Assert.Equal(4, queue.Buffered);
        Assert.Equal(2, queue.Publish(Records(6, 2)));
        queue.Complete();

        Assert.Equal([0, 1, 2, 3], await ReadAll(queue));
    }

    [Fact]
    public async Task Records_read_make_room_again()
    {
        var queue = new RecordBatchQueue(capacity: 2);
        Assert.Equal(0, queue.Publish(Records(0, 2)));
        Assert.Equal([0, 1], await Read(queue, 2));

        Assert.Equal(0, queue.Publish(Records(2, 2)));
        queue.Complete();
        Assert.Equal([2, 3], await ReadAll(queue));
    }

    [Fact]
    public async Task A_reader_that_stops_inside_a_batch_leaves_the_rest_to_the_next_reader_first()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        queue.Publish(Records(0, 4));
        queue.Publish(Records(4, 2));

        Assert.Equal([0], await Read(queue, 1));
        Assert.Equal(5, queue.Buffered);
        Assert.Equal([1, 2], await Read(queue, 2));

        queue.Complete();
        Assert.Equal([3, 4, 5], await ReadAll(queue));
    }

    [Fact]
    public async Task A_waiting_reader_wakes_for_a_batch_published_later()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        var reading = Read(queue, 3);
        Assert.False(reading.IsCompleted);

        queue.Publish(Records(0, 3));

        Assert.Equal([0, 1, 2], await reading.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_failure_reaches_the_reader_after_the_records_before_it()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        queue.Publish(Records(0, 2));
        queue.Complete(new InvalidOperationException("reader failed"));

        var seen = new List<int>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var record in queue.ReadAllAsync(CancellationToken.None))
                seen.Add(Index(record));
        });

        Assert.Equal("reader failed", failure.Message);
        Assert.Equal([0, 1], seen);
    }

    [Fact]
    public async Task Nothing_is_published_once_completed()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        queue.Complete();

        Assert.Equal(2, queue.Publish(Records(0, 2)));
        Assert.Equal(0, queue.Buffered);
        Assert.Empty(await ReadAll(queue));
    }

    [Fact]
    public async Task Cancelling_a_waiting_reader_throws_and_loses_nothing()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        using var cancel = new CancellationTokenSource();
        var reading = ReadAll(queue, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        queue.Publish(Records(0, 2));
        queue.Complete();
        Assert.Equal([0, 1], await ReadAll(queue));
    }

    [Fact]
    public async Task A_read_cancelled_before_it_began_takes_nothing()
    {
        var queue = new RecordBatchQueue(capacity: 100);
        queue.Publish(Records(0, 2));
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAll(queue, cancel.Token));
        queue.Complete();
        Assert.Equal([0, 1], await ReadAll(queue));
    }

        private static async Task<List<int>> ReadAll(RecordBatchQueue queue, CancellationToken cancellationToken = default)
    {
        var seen = new List<int>();
        await foreach (var record in queue.ReadAllAsync(cancellationToken))
            seen.Add(Index(record));
        return seen;
    }

    private static async Task<List<int>> Read(RecordBatchQueue queue, int count)
    {
        var seen = new List<int>();
        await foreach (var record in queue.ReadAllAsync(CancellationToken.None))
        {
            seen.Add(Index(record));
            if (seen.Count == count)
                break;
        }

        return seen;
    }

    private static int Index(ProtocolRecord record) => int.Parse(((RedisRecord)record).Command!, System.Globalization.CultureInfo.InvariantCulture);

    private static List<ProtocolRecord> Records(int first, int count)
    {
        var records = new List<ProtocolRecord>();
        for (var i = first; i < first + count; i++)
        {
            records.Add(new RedisRecord
            {
                Connection = new ConnectionInfo
                {
                    Id = new ConnectionId(100, 5, 1),
                    Process = new ProcessInfo(100, "app", 1),
                    LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
                    RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 6379),
                    Role = ConnectionRole.Client,
                },
                Role = ConnectionRole.Client,
                RequestTime = Start,
                Command = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Arguments = [],
            });
        }

        return records;
    }
}
