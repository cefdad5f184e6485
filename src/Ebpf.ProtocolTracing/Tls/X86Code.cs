using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>Decoding x86-64 machine code read from a binary, for placing probes.</summary>
internal static class X86Code
{
    /// <summary>A 64-bit decoder of <paramref name="code"/>, whose first byte is at <paramref name="address"/>.</summary>
    public static Decoder Decoder(ReadOnlySpan<byte> code, ulong address) =>
        Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(code.ToArray()), address);

    /// <summary>The first instruction of <paramref name="code"/>; false when it does not decode within the bytes given.</summary>
    public static bool TryDecodeFirst(ReadOnlySpan<byte> code, ulong address, out Instruction instruction)
    {
        Decoder(code[..Math.Min(code.Length, 15)], address).Decode(out instruction);
        return !instruction.IsInvalid && instruction.NextIP <= address + (ulong)Math.Min(code.Length, 15);
    }

    /// <summary>Whether a register used with <paramref name="access"/> may be written.</summary>
    public static bool IsWrite(OpAccess access) =>
        access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite;
}
