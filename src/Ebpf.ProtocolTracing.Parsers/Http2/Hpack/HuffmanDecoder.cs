namespace Ebpf.ProtocolTracing.Http2.Hpack;

/// <summary>
/// Decodes Huffman-coded HPACK strings (RFC 7541 5.2). The code is canonical, so a symbol is found by
/// comparing the next bits, left-aligned, with the first code of each length in turn: no tree, no
/// allocation.
/// </summary>
internal static class HuffmanDecoder
{
    private const int MaxCodeLength = 30;

    private static readonly uint[] FirstCode = new uint[MaxCodeLength + 1];
    private static readonly uint[] CodeCount = new uint[MaxCodeLength + 1];
    private static readonly int[] FirstSymbolIndex = new int[MaxCodeLength + 1];
    private static readonly ushort[] SymbolsByCode = BuildTables();

    /// <summary>The most bytes <paramref name="encodedLength"/> Huffman bytes can decode to (the shortest code is 5 bits).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)(encodedLength * 8L / 5);

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <returns>
    /// <see langword="false"/> when the bits are not a valid string: EOS inside it, padding longer than 7
    /// bits or not all ones, or <paramref name="destination"/> too small.
    /// </returns>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        ulong bitsLeftAligned = 0;
        int bitCount = 0;
        int next = 0;
        while (true)
        {
            while (bitCount <= 56 && next < source.Length)
            {
                bitsLeftAligned |= (ulong)source[next++] << (56 - bitCount);
                bitCount += 8;
            }

            if (bitCount == 0)
            {
                return true;
            }

            uint window = (uint)(bitsLeftAligned >> 32);
            int length = 5;
            while (length <= MaxCodeLength && (window >> (32 - length)) - FirstCode[length] >= CodeCount[length])
            {
                length++;
            }

            if (length > bitCount || length > MaxCodeLength)
            {
                // Only padding may remain: fewer than 8 bits, all ones (the start of EOS).
                return bitCount < 8 && next == source.Length && (bitsLeftAligned >> (64 - bitCount)) == (1UL << bitCount) - 1;
            }

            int symbol = SymbolsByCode[FirstSymbolIndex[length] + (int)((window >> (32 - length)) - FirstCode[length])];
            if (symbol == HuffmanTable.EndOfString || written == destination.Length)
            {
                return false;
            }

            destination[written++] = (byte)symbol;
            bitsLeftAligned <<= length;
            bitCount -= length;
        }
    }

    private static ushort[] BuildTables()
    {
        var lengths = HuffmanTable.Lengths;
        var codes = HuffmanTable.Codes;
        var symbols = new ushort[lengths.Length];
        int index = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            FirstSymbolIndex[length] = index;
            bool first = true;

            // Symbols of one length have consecutive codes in symbol order (the code is canonical).
            for (int symbol = 0; symbol < lengths.Length; symbol++)
            {
                if (lengths[symbol] != length)
                {
                    continue;
                }

                if (first)
                {
                    FirstCode[length] = codes[symbol];
                    first = false;
                }

                CodeCount[length]++;
                symbols[index++] = (ushort)symbol;
            }

            if (first)
            {
                // No code of this length: make every comparison fail.
                FirstCode[length] = uint.MaxValue;
            }
        }

        return symbols;
    }
}
