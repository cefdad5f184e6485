namespace Ebpf.ProtocolTracing.Kernel;

/// <summary>Receives the records a <see cref="RingBufferWalk"/> finds.</summary>
internal interface IRingRecordVisitor
{
    /// <summary>One committed record; <paramref name="sample"/> is valid only during the call.</summary>
    /// <returns><see langword="false"/> to stop the walk after this record (it counts as consumed).</returns>
    bool OnRecord(ReadOnlySpan<byte> sample);

    /// <summary>
    /// The ring held something no producer writes (a length past the producer position or the ring, a
    /// misaligned position). Everything up to the producer position was skipped.
    /// </summary>
    void OnCorrupt();
}

/// <summary>
/// Walks the committed records of a mapped BPF ring buffer and advances its consumer position, following
/// the kernel's ABI: each record is an 8-byte header (u32 length whose bit 31 marks a record still being
/// written and bit 30 a discarded one, then u32 page offset) and its sample, padded to 8 bytes.
/// </summary>
internal static unsafe class RingBufferWalk
{
    /// <summary>
    /// Within a long batch the consumer position is stored each time this fraction of the ring has been
    /// read. Room the walk has read but not yet given back is room the producers cannot use: while the
    /// reader is held up (a collection, a slow record), a store only every eighth of the ring held an
    /// eighth of it back. A 64th keeps that small and still spares the producers a cache miss per record.
    /// </summary>
    public const uint ConsumerStoreFraction = 64;

    /// <summary>BPF_RINGBUF_HDR_SZ.</summary>
    public const int HeaderSize = 8;

    /// <summary>BPF_RINGBUF_BUSY_BIT: reserved, not committed yet; the walk stops there.</summary>
    public const uint BusyBit = 1u << 31;

    /// <summary>BPF_RINGBUF_DISCARD_BIT: committed but discarded; skipped.</summary>
    public const uint DiscardBit = 1u << 30;

    /// <summary>
    /// Hands every committed record from the consumer position on to <paramref name="visitor"/>, re-reading
    /// the producer position after each batch, until none is left, a record is still being written, the
    /// visitor refuses one, or one ring's worth has been read (so a caller that keeps producers busy still
    /// returns). The consumer position is stored once per batch and, within one, each time
    /// 1/<see cref="ConsumerStoreFraction"/> of the ring has been read: room goes back to the producers
    /// early without a store (and the producers' cache miss on it) per record.
    /// </summary>
    /// <param name="data">The data area, <paramref name="ringSize"/> bytes mapped twice in a row.</param>
    /// <param name="ringSize">A power of two.</param>
    /// <param name="consumerPosition">The consumer position; only this walk writes it.</param>
    /// <param name="producerPosition">The producer position, advanced by the kernel.</param>
    /// <param name="visitor">Receives the records (a struct, so the calls are direct).</param>
    /// <returns>How many records were handed to the visitor (discarded ones are not).</returns>
    public static int Run<TVisitor>(byte* data, uint ringSize, ulong* consumerPosition, ulong* producerPosition, ref TVisitor visitor)
        where TVisitor : struct, IRingRecordVisitor
    {
        var mask = (ulong)ringSize - 1;
        var storeEvery = Math.Max(ringSize / ConsumerStoreFraction, HeaderSize);
        var consumer = Volatile.Read(ref *consumerPosition);
        var stored = consumer;
        var budgetEnd = consumer + ringSize;
        var records = 0;
        var stop = false;
        while (!stop)
        {
            // Acquire: the records below this position are reserved (their headers written) before it is published.
            var producer = Volatile.Read(ref *producerPosition);
            if (producer == consumer)
            {
                break;
            }

            if (producer < consumer || (consumer & (HeaderSize - 1)) != 0)
            {
                visitor.OnCorrupt();
                consumer = producer;
                stop = true;
            }

            while (consumer < producer)
            {
                var header = data + (consumer & mask);
                // Acquire: a header without the busy bit has its sample written before it.
                var length = Volatile.Read(ref *(uint*)header);
                if ((length & BusyBit) != 0)
                {
                    stop = true;
                    break;
                }

                var sampleLength = length & ~(BusyBit | DiscardBit);
                var recordSize = ((ulong)sampleLength + HeaderSize + 7) & ~7ul;
                if (recordSize > producer - consumer || recordSize > ringSize)
                {
                    // No producer writes this; there is no next header to trust short of the producer position.
                    visitor.OnCorrupt();
                    consumer = producer;
                    stop = true;
                    break;
                }

                consumer += recordSize;
                if ((length & DiscardBit) == 0)
                {
                    records++;
                    if (!visitor.OnRecord(new ReadOnlySpan<byte>(header + HeaderSize, (int)sampleLength)))
                    {
                        stop = true;
                        break;
                    }
                }

                if (consumer - stored >= storeEvery)
                {
                    Volatile.Write(ref *consumerPosition, consumer);
                    stored = consumer;
                }
            }

            if (consumer != stored)
            {
                // Release: the samples are read before the producers may reuse their room.
                Volatile.Write(ref *consumerPosition, consumer);
                stored = consumer;
            }

            stop |= consumer >= budgetEnd;
        }

        return records;
    }
}
