using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ebpf.ProtocolTracing.Http;

/// <summary>
/// Finds the two boundaries of a field line (end of the name, end of the value) with 32-byte vector
/// compares inlined into the caller, instead of one library search call per boundary: on heads of short
/// lines the per-call setup of a general search costs more than the bytes.
/// </summary>
/// <remarks>
/// Token classification uses the nibble-table technique: a byte is a tchar when bit (high nibble) is set
/// in the table entry of its low nibble; bytes above 0x7F have no bit and so are never tokens.
/// </remarks>
internal static class HttpFieldLineVectorScanner
{
    /// <summary>Whether this machine runs the vector path (AVX2); otherwise the caller uses span searches.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>For each low nibble, the high nibbles (0-7) that make a tchar with it (computed from RFC 9110 5.6.2).</summary>
    private static ReadOnlySpan<byte> TokenLowNibbleTable =>
    [
        232, 252, 248, 252, 252, 252, 252, 252, 248, 248, 244, 84, 208, 84, 244, 112,
        232, 252, 248, 252, 252, 252, 252, 252, 248, 248, 244, 84, 208, 84, 244, 112,
    ];

    /// <summary>1 &lt;&lt; high nibble for ASCII, 0 for bytes above 0x7F.</summary>
    private static ReadOnlySpan<byte> HighNibbleBitTable =>
    [
        1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Index of the first byte at or after <paramref name="from"/> that is not a tchar, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfNonToken(ReadOnlySpan<byte> data, int from)
    {
        var low = Vector256.Create(TokenLowNibbleTable);
        var high = Vector256.Create(HighNibbleBitTable);
        ref byte start = ref MemoryMarshal.GetReference(data);
        int i = from;
        for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
        {
            uint mask = NonTokenMask(Vector256.LoadUnsafe(ref start, (nuint)i), low, high);
            if (mask != 0)
            {
                return i + BitOperations.TrailingZeroCount(mask);
            }
        }

        return i < data.Length ? TailIndex(data, i, NonTokenMask(LoadTail(data, i), low, high)) : -1;
    }

    /// <summary>Index of the first control byte other than HTAB at or after <paramref name="from"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfControl(ReadOnlySpan<byte> data, int from)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        int i = from;
        for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
        {
            uint mask = ControlMask(Vector256.LoadUnsafe(ref start, (nuint)i));
            if (mask != 0)
            {
                return i + BitOperations.TrailingZeroCount(mask);
            }
        }

        return i < data.Length ? TailIndex(data, i, ControlMask(LoadTail(data, i))) : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NonTokenMask(Vector256<byte> bytes, Vector256<byte> low, Vector256<byte> high)
    {
        var lowBits = Avx2.Shuffle(low, bytes & Vector256.Create((byte)0x0F));
        var highBits = Avx2.Shuffle(high, Vector256.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & Vector256.Create((byte)0x0F));
        return Vector256.Equals(lowBits & highBits, Vector256<byte>.Zero).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ControlMask(Vector256<byte> bytes) =>
        (Vector256.LessThan(bytes, Vector256.Create((byte)0x20)) & ~Vector256.Equals(bytes, Vector256.Create((byte)'\t'))).ExtractMostSignificantBits();

    /// <summary>The last partial block, padded with NUL (a control byte and a non-token) past the data's end.</summary>
    private static Vector256<byte> LoadTail(ReadOnlySpan<byte> data, int from)
    {
        Span<byte> padded = stackalloc byte[Vector256<byte>.Count];
        padded.Clear();
        data[from..].CopyTo(padded);
        return Vector256.Create<byte>(padded);
    }

    private static int TailIndex(ReadOnlySpan<byte> data, int from, uint mask)
    {
        int index = from + BitOperations.TrailingZeroCount(mask);
        return index < data.Length ? index : -1;
    }
}
