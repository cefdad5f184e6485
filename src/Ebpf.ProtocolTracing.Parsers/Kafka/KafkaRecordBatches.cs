using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>
/// Counts records in a RECORDS field from the batch headers alone
/// (https://kafka.apache.org/documentation/#recordbatch): baseOffset int64, batchLength int32,
/// partitionLeaderEpoch int32, magic int8, crc uint32, attributes int16 (codec in bits 0–2),
/// lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64, producerId int64, producerEpoch int16,
/// baseSequence int32, records count int32 — 61 bytes. Records are never decompressed.
/// </summary>
internal static class KafkaRecordBatches
{
    private const int BatchHeaderBytes = 61;
    private const int MagicOffset = 16;
    private const int AttributesOffset = 21;
    private const int RecordCountOffset = 57;

    /// <summary>Summarises the batches whose headers lie in <paramref name="records"/> (which may be cut short).</summary>
    public static BatchSummary Summarize(ReadOnlySpan<byte> records)
    {
        var summary = default(BatchSummary);
        while (records.Length >= MagicOffset + 1)
        {
            int batchLength = BinaryPrimitives.ReadInt32BigEndian(records.Slice(8, 4));
            if (records[MagicOffset] != 2)
            {
                summary.Legacy = true;
                return summary;
            }

            if (records.Length < BatchHeaderBytes || batchLength < BatchHeaderBytes - 12)
            {
                return summary;
            }

            int count = BinaryPrimitives.ReadInt32BigEndian(records.Slice(RecordCountOffset, 4));
            if (summary.Batches == 0)
            {
                summary.Compression = (KafkaCompression)(records[AttributesOffset + 1] & 0x07);
            }

            summary.Batches++;
            summary.Records += Math.Max(count, 0);
            long next = 12L + batchLength;
            if (next >= records.Length)
            {
                return summary;
            }

            records = records[(int)next..];
        }

        return summary;
    }

    /// <summary>What the batch headers said.</summary>
    internal struct BatchSummary
    {
        public int Batches;
        public long Records;
        public KafkaCompression? Compression;
        public bool Legacy;
    }
}
