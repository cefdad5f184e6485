using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Which x86-64 instructions the kernel emulates when a uprobe sits on them. Any other instruction is
/// copied to a per-process slot and executed there under a single-step trap after the probe's
/// breakpoint: a second exception per hit, which costs ~10 µs on a virtual machine that intercepts
/// debug exceptions (against ~0.7 µs for an emulated one, measured with a push- and a sub-first
/// function on Linux 6.18). Where the probe lands is chosen with this in mind.
/// </summary>
internal static class UprobeEmulation
{
    /// <summary>
    /// True when the kernel runs <paramref name="instruction"/> itself for a uprobe on it: a push of a
    /// 64-bit register (Linux 6.9 and later), a one-byte nop, a direct near call or jump, a conditional
    /// jump. Only the probe's cost depends on this answer, never what it observes.
    /// </summary>
    public static bool IsEmulated(in Instruction instruction) =>
        instruction.Code is Code.Push_r64 or Code.Nopd or Code.Call_rel32_64 or Code.Jmp_rel8_64 or Code.Jmp_rel32_64
        || instruction.IsJccShortOrNear;

    /// <summary>Whether the first instruction of <paramref name="code"/> (decoded at <paramref name="address"/>) is emulated.</summary>
    public static bool StartsWithEmulated(ReadOnlySpan<byte> code, ulong address)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code.ToArray()), address);
        decoder.Decode(out var first);
        return !first.IsInvalid && first.NextIP <= address + (ulong)code.Length && IsEmulated(first);
    }
}
