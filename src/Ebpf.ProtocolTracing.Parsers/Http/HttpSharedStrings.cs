using System.Text;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// Short head strings shared by all the connections of one <see cref="HttpParser"/>: a new connection's
/// first head mostly says what other connections' heads said (Host, Server, Content-Type, Connection and
/// their values), so it takes those strings instead of making its own.
/// </summary>
/// <remarks>
/// A fixed table of slots indexed by a hash of the bytes; a miss decodes and takes the slot, so memory is
/// bounded and unique values only cost a store. Thread-safe without locks: a slot holds an immutable
/// string, a reader compares it with the bytes before using it, so a race costs a miss, never a wrong
/// string. Only ASCII is shared (<see cref="Ascii.Equals(ReadOnlySpan{byte}, ReadOnlySpan{char})"/> fails
/// on anything else), so a shared string always equals what decoding would have made.
/// </remarks>
internal sealed class HttpSharedStrings
{
    // Longer values (cookies, long paths, tokens) are rarely repeated across connections.
    private const int MaxSharedLength = 64;
    private const int SlotCount = 1024;

    private readonly string?[] _slots = new string?[SlotCount];

    /// <summary>A field name (validated ASCII): shared when seen before, else decoded.</summary>
    public string Name(ReadOnlySpan<byte> bytes) => Get(bytes) ?? Store(bytes, Encoding.ASCII.GetString(bytes));

    /// <summary>A target, reason phrase or field value: shared when seen before, else decoded as UTF-8.</summary>
    public string Text(ReadOnlySpan<byte> bytes) => Get(bytes) ?? Store(bytes, Encoding.UTF8.GetString(bytes));

    private string? Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxSharedLength)
        {
            return null;
        }

        var candidate = _slots[Slot(bytes)];
        return candidate is not null && candidate.Length == bytes.Length && Ascii.Equals(bytes, candidate) ? candidate : null;
    }

    private string Store(ReadOnlySpan<byte> bytes, string decoded)
    {
        if (bytes.Length <= MaxSharedLength && Ascii.IsValid(bytes))
        {
            _slots[Slot(bytes)] = decoded;
        }

        return decoded;
    }

    // FNV-1a, not HashCode: HashCode is seeded per process, so which strings share a slot (and are not
    // shared) would change from run to run. A peer that forces collisions only causes misses.
    private static int Slot(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)((hash ^ (hash >> 16)) & (SlotCount - 1));
    }
}
