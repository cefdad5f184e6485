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

        if (i >= data.Length)
        {
            return -1;
        }

        if (data.Length >= Vector256<byte>.Count)
        {
            // The last full block, shifted so its first bit is position i: no copy of the tail.
            int last = data.Length - Vector256<byte>.Count;
            uint mask = NonTokenMask(Vector256.LoadUnsafe(ref start, (nuint)last), low, high) >> (i - last);
            return mask != 0 ? i + BitOperations.TrailingZeroCount(mask) : -1;
        }

        ShortTailMasks(data, i, out uint tailNonToken, out _);
        return tailNonToken != 0 ? i + BitOperations.TrailingZeroCount(tailNonToken) : -1;
    }

    /// <summary>
    /// Finds both boundaries of a field line in one pass: each 32-byte block is loaded once and gives
    /// the name's end and, in the same block, the value's end.
    /// </summary>
    /// <param name="data">The bytes from the line start.</param>
    /// <param name="valueEnd">
    /// Index of the first control byte other than HTAB after the name's end (where the value stops), or
    /// -1 when there is none in <paramref name="data"/> or no name end was found.
    /// </param>
    /// <returns>Index of the first byte that is not a tchar (the colon of a valid line), or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfNameEnd(ReadOnlySpan<byte> data, out int valueEnd)
    {
        var low = Vector256.Create(TokenLowNibbleTable);
        var high = Vector256.Create(HighNibbleBitTable);
        ref byte start = ref MemoryMarshal.GetReference(data);
        int i = 0;
        for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
        {
            var bytes = Vector256.LoadUnsafe(ref start, (nuint)i);
            uint nonToken = NonTokenMask(bytes, low, high);
            if (nonToken != 0)
            {
                int nameEnd = BitOperations.TrailingZeroCount(nonToken);
                uint control = ControlMask(bytes) & AfterBit(nameEnd);
                valueEnd = control != 0 ? i + BitOperations.TrailingZeroCount(control) : IndexOfControl(data, i + Vector256<byte>.Count);
                return i + nameEnd;
            }
        }

        valueEnd = -1;
        if (i >= data.Length)
        {
            return -1;
        }

        uint tailNonToken;
        uint tailControl;
        if (data.Length >= Vector256<byte>.Count)
        {
            int last = data.Length - Vector256<byte>.Count;
            var bytes = Vector256.LoadUnsafe(ref start, (nuint)last);
            tailNonToken = NonTokenMask(bytes, low, high) >> (i - last);
            tailControl = ControlMask(bytes) >> (i - last);
        }
        else
        {
            // Padded with NUL, which is both a non-token and a control byte: bits past the end are ignored below.
            ShortTailMasks(data, i, out tailNonToken, out tailControl);
        }

        if (tailNonToken == 0)
        {
            return -1;
        }

        int tailNameEnd = BitOperations.TrailingZeroCount(tailNonToken);
        tailControl &= AfterBit(tailNameEnd);
        valueEnd = tailControl != 0 ? i + BitOperations.TrailingZeroCount(tailControl) : -1;
        return i + tailNameEnd;
    }

    /// <summary>The bits above <paramref name="bit"/> (0-31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AfterBit(int bit) => ~((2u << bit) - 1);

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

        if (i >= data.Length)
        {
            return -1;
        }

        if (data.Length >= Vector256<byte>.Count)
        {
            int last = data.Length - Vector256<byte>.Count;
            uint mask = ControlMask(Vector256.LoadUnsafe(ref start, (nuint)last)) >> (i - last);
            return mask != 0 ? i + BitOperations.TrailingZeroCount(mask) : -1;
        }

        ShortTailMasks(data, i, out _, out uint tailControl);
        return tailControl != 0 ? i + BitOperations.TrailingZeroCount(tailControl) : -1;
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

    /// <summary>
    /// Both masks for the bytes from <paramref name="from"/> to the end of a span shorter than one
    /// 32-byte block (bit k is byte from + k): 16-byte loads that end at the span's end where it has 16
    /// bytes (the tail of a head usually does), a padded copy only below that.
    /// </summary>
    private static void ShortTailMasks(ReadOnlySpan<byte> data, int from, out uint nonToken, out uint control)
    {
        if (data.Length < Vector128<byte>.Count)
        {
            Span<byte> padded = stackalloc byte[Vector128<byte>.Count];
            padded.Clear();
            data[from..].CopyTo(padded);
            var bytes = Vector128.Create<byte>(padded);
            uint valid = (1u << (data.Length - from)) - 1;
            nonToken = NonTokenMask(bytes) & valid;
            control = ControlMask(bytes) & valid;
            return;
        }

        ref byte start = ref MemoryMarshal.GetReference(data);
        int last = data.Length - Vector128<byte>.Count;
        if (from > last)
        {
            var bytes = Vector128.LoadUnsafe(ref start, (nuint)last);
            nonToken = NonTokenMask(bytes) >> (from - last);
            control = ControlMask(bytes) >> (from - last);
            return;
        }

        var first = Vector128.LoadUnsafe(ref start, (nuint)from);
        nonToken = NonTokenMask(first);
        control = ControlMask(first);
        int next = from + Vector128<byte>.Count;
        if (next < data.Length)
        {
            var second = Vector128.LoadUnsafe(ref start, (nuint)last);
            nonToken |= (NonTokenMask(second) >> (next - last)) << Vector128<byte>.Count;
            control |= (ControlMask(second) >> (next - last)) << Vector128<byte>.Count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NonTokenMask(Vector128<byte> bytes)
    {
        var lowBits = Ssse3.Shuffle(Vector128.Create(TokenLowNibbleTable), bytes & Vector128.Create((byte)0x0F));
        var highBits = Ssse3.Shuffle(Vector128.Create(HighNibbleBitTable), Vector128.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & Vector128.Create((byte)0x0F));
        return Vector128.Equals(lowBits & highBits, Vector128<byte>.Zero).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ControlMask(Vector128<byte> bytes) =>
        (Vector128.LessThan(bytes, Vector128.Create((byte)0x20)) & ~Vector128.Equals(bytes, Vector128.Create((byte)'\t'))).ExtractMostSignificantBits();
}
