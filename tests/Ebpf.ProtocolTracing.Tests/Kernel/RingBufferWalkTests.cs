using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

// The walk over a ring laid out as the kernel lays it out, including what no kernel writes.
public sealed unsafe class RingBufferWalkTests
{
    private const uint RingSize = 4096;

    [Fact]
    public void Hands_over_every_committed_record_in_order_and_consumes_up_to_the_producer()
    {
        using var ring = new SyntheticRing(RingSize);
        var samples = new[] { Sample(1, 1), Sample(7, 2), Sample(8, 3), Sample(9, 4), Sample(100, 5) };
        foreach (var sample in samples)
        {
            ring.Append(sample);
        }

        var visitor = new Collector();
        var records = Walk(ring, ref visitor);

        Assert.Equal(samples.Length, records);
        Assert.Equal(samples, visitor.Samples);
        Assert.Equal(*ring.Producer, *ring.Consumer);
        Assert.Empty(visitor.Corrupt);
    }

    [Fact]
    public void A_record_that_wraps_past_the_end_arrives_whole_through_the_second_mapping()
    {
        using var ring = new SyntheticRing(RingSize);
        // Move both positions close to the end, as after a long run.
        *ring.Consumer = *ring.Producer = (3 * RingSize) - 48;
        var wrapping = Sample(200, 9);
        var after = Sample(30, 10);
        ring.Append(wrapping);
        ring.Append(after);

        var visitor = new Collector();
        Walk(ring, ref visitor);

        Assert.Equal([wrapping, after], visitor.Samples);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public void Discarded_records_are_skipped_and_consumed()
    {
        using var ring = new SyntheticRing(RingSize);
        ring.Append(Sample(10, 1));
        ring.Append(Sample(20, 2), discard: true);
        ring.Append(Sample(30, 3));

        var visitor = new Collector();
        var records = Walk(ring, ref visitor);

        Assert.Equal(2, records);
        Assert.Equal([Sample(10, 1), Sample(30, 3)], visitor.Samples);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public void A_record_still_being_written_stops_the_walk_until_it_is_committed()
    {
        using var ring = new SyntheticRing(RingSize);
        ring.Append(Sample(10, 1));
        var busy = ring.Append(Sample(20, 2), busy: true);
        ring.Append(Sample(30, 3));

        var visitor = new Collector();
        Walk(ring, ref visitor);
        Assert.Equal([Sample(10, 1)], visitor.Samples);
        Assert.Equal(busy, *ring.Consumer);

        ring.WriteHeader(busy, 20);
        Walk(ring, ref visitor);
        Assert.Equal([Sample(10, 1), Sample(20, 2), Sample(30, 3)], visitor.Samples);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public void A_refused_record_is_consumed_and_the_next_walk_goes_on_after_it()
    {
        using var ring = new SyntheticRing(RingSize);
        ring.Append(Sample(10, 1));
        ring.Append(Sample(20, 2));
        var third = ring.Append(Sample(30, 3));

        var visitor = new Collector { RefuseAt = 1 };
        var records = Walk(ring, ref visitor);

        Assert.Equal(2, records);
        Assert.Equal(third, *ring.Consumer);

        visitor.RefuseAt = -1;
        Walk(ring, ref visitor);
        Assert.Equal([Sample(10, 1), Sample(20, 2), Sample(30, 3)], visitor.Samples);
    }

    [Fact]
    public void The_consumer_position_is_stored_every_fraction_of_the_ring_within_a_batch_not_per_record()
    {
        // Large enough that a store covers several records.
        const uint LargeRing = 65536;
        using var ring = new SyntheticRing(LargeRing);
        const int RecordSize = 64;
        const int Count = 60;
        for (var i = 0; i < Count; i++)
        {
            ring.Append(Sample(RecordSize - RingBufferWalk.HeaderSize, (byte)i));
        }

        var visitor = new Collector { Watched = ring.Consumer };
        Walk(ring, ref visitor);

        Assert.Equal(Count, visitor.Samples.Count);
        const int RecordsPerStore = (int)(LargeRing / RingBufferWalk.ConsumerStoreFraction / RecordSize);
        Assert.True(RecordsPerStore > 1 && Count > 2 * RecordsPerStore);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal((ulong)(i / RecordsPerStore * RecordsPerStore * RecordSize), visitor.SeenConsumer[i]);
        }

        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public void A_walk_that_producers_keep_feeding_returns_after_about_one_ring()
    {
        using var ring = new SyntheticRing(RingSize);
        const int SampleLength = 56;
        for (var i = 0; i < 8; i++)
        {
            ring.Append(Sample(SampleLength, (byte)i));
        }

        var visitor = new Collector { Refill = ring };
        var records = Walk(ring, ref visitor);

        const int RecordsPerRing = (int)(RingSize / (SampleLength + RingBufferWalk.HeaderSize));
        Assert.InRange(records, RecordsPerRing, 2 * RecordsPerRing);
        Assert.Equal(*ring.Consumer, (ulong)records * (SampleLength + RingBufferWalk.HeaderSize));
    }

    [Theory]
    [InlineData(RingSize)] // longer than the ring can hold
    [InlineData(500)] // past the producer position
    [InlineData(0x3FFF_FFFF)] // garbage
    public void A_corrupt_length_is_reported_once_and_skipped_up_to_the_producer(uint corruptLength)
    {
        using var ring = new SyntheticRing(RingSize);
        ring.Append(Sample(10, 1));
        var corrupt = ring.Append(Sample(40, 2));
        ring.Append(Sample(30, 3));
        ring.WriteHeader(corrupt, corruptLength);

        var visitor = new Collector();
        var records = Walk(ring, ref visitor);

        Assert.Equal(1, records);
        Assert.Equal([Sample(10, 1)], visitor.Samples);
        Assert.Single(visitor.Corrupt);
        Assert.Equal(*ring.Producer, *ring.Consumer);

        // What producers write afterwards is read normally.
        ring.Append(Sample(16, 4));
        Walk(ring, ref visitor);
        Assert.Equal([Sample(10, 1), Sample(16, 4)], visitor.Samples);
        Assert.Single(visitor.Corrupt);
    }

    [Theory]
    [InlineData(12UL)] // misaligned consumer position
    [InlineData(4096UL)] // consumer position ahead of the producer
    public void A_corrupt_consumer_position_is_reported_and_reset_to_the_producer(ulong consumer)
    {
        using var ring = new SyntheticRing(RingSize);
        ring.Append(Sample(10, 1));
        ring.Append(Sample(20, 2));
        *ring.Consumer = consumer;

        var visitor = new Collector();
        var records = Walk(ring, ref visitor);

        Assert.Equal(0, records);
        Assert.Single(visitor.Corrupt);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public void An_empty_ring_hands_over_nothing()
    {
        using var ring = new SyntheticRing(RingSize);
        var visitor = new Collector();

        Assert.Equal(0, Walk(ring, ref visitor));
        Assert.Empty(visitor.Samples);
        Assert.Equal(0ul, *ring.Consumer);
    }

    private static int Walk(SyntheticRing ring, ref Collector visitor)
        => RingBufferWalk.Run(ring.Data, ring.Size, ring.Consumer, ring.Producer, ref visitor);

    private static byte[] Sample(int length, byte seed)
    {
        var sample = new byte[length];
        for (var i = 0; i < length; i++)
        {
            sample[i] = (byte)(seed + (i * 7));
        }

        return sample;
    }

    private struct Collector : IRingRecordVisitor
    {
        public Collector()
        {
        }

        public List<byte[]> Samples { get; } = [];

        public List<int> Corrupt { get; } = [];

        public List<ulong> SeenConsumer { get; } = [];

        public int RefuseAt { get; set; } = -1;

        public ulong* Watched { get; init; }

        public SyntheticRing? Refill { get; init; }

        public readonly bool OnRecord(ReadOnlySpan<byte> sample)
        {
            Samples.Add(sample.ToArray());
            if (Watched != null)
            {
                SeenConsumer.Add(*Watched);
            }

            // A producer that writes a record for every one read, so the ring never empties.
            Refill?.Append(sample);
            return Samples.Count - 1 != RefuseAt;
        }

        public readonly void OnCorrupt() => Corrupt.Add(Samples.Count);
    }
}
