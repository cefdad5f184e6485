using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Finds the RET instructions of an x86-64 function by decoding it from its first byte. A Go function
/// cannot take a uretprobe (the runtime copies and checks goroutine stacks, and the probe replaces a
/// return address on the stack), so its returns are probed where they happen. Decoding matters: the
/// byte 0xC3 also occurs inside other instructions (immediates, displacements, ModRM bytes), and a
/// probe placed there would corrupt the program.
/// </summary>
internal static class GoReturnFinder
{
    /// <summary>
    /// The offsets, from the function's start, of every near RET in <paramref name="code"/> (the
    /// function's bytes, decoded as 64-bit code at <paramref name="address"/>); <see langword="null"/>
    /// when some bytes do not decode (not code, or a damaged file): no probe should then be placed.
    /// </summary>
    public static List<int>? FindReturns(ReadOnlySpan<byte> code, ulong address)
    {
        var decoder = X86Code.Decoder(code, address);
        var returns = new List<int>();
        var end = address + (ulong)code.Length;
        while (decoder.IP < end)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid || instruction.NextIP > end)
            {
                return null;
            }

            if (instruction.Mnemonic == Mnemonic.Ret)
            {
                returns.Add((int)(instruction.IP - address));
            }
        }

        return returns;
    }
}
