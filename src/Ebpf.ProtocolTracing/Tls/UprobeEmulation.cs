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
    public static bool StartsWithEmulated(ReadOnlySpan<byte> code, ulong address) =>
        X86Code.TryDecodeFirst(code, address, out var first) && IsEmulated(first);

    /// <summary>
    /// Where to put a function's entry probe: the offset of the first instruction the kernel emulates,
    /// when it is among the first few, the instructions before it run straight on, write none of
    /// <paramref name="preserved"/> (the registers the entry program reads) and no branch of the function
    /// lands on them — so a probe there sees what one at the entry would, once per call. 0 (the entry)
    /// otherwise. Go functions are the case: their stack check (<c>cmp rsp, [r14+16]</c>, single-stepped)
    /// is followed by a conditional jump (emulated).
    /// </summary>
    /// <param name="function">The whole function's code.</param>
    /// <param name="address">Its address.</param>
    /// <param name="preserved">Full 64-bit registers the prefix must not write.</param>
    public static int EmulatedEntryOffset(ReadOnlySpan<byte> function, ulong address, ReadOnlySpan<Register> preserved)
    {
        var decoder = X86Code.Decoder(function, address);
        var end = address + (ulong)function.Length;
        var info = new InstructionInfoFactory();
        ulong? probe = null;
        var prefixDisqualified = false;
        var branchTargets = new List<ulong>();
        for (var index = 0; decoder.IP < end; index++)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid || instruction.NextIP > end)
            {
                return 0;
            }

            if (instruction.Op0Kind == OpKind.NearBranch64)
            {
                branchTargets.Add(instruction.NearBranch64);
            }

            if (probe is not null || prefixDisqualified || index > MaxSkippedInstructions)
            {
                continue;
            }

            if (IsEmulated(instruction))
            {
                probe = instruction.IP;
            }
            else if (instruction.FlowControl != FlowControl.Next || WritesAny(info.GetInfo(instruction), preserved))
            {
                prefixDisqualified = true;
            }
        }

        if (probe is not { } at || at == address || prefixDisqualified)
        {
            return 0;
        }

        foreach (var target in branchTargets)
        {
            if (target > address && target <= at)
            {
                return 0;
            }
        }

        return (int)(at - address);
    }

    /// <summary>Instructions an entry probe may be moved past.</summary>
    private const int MaxSkippedInstructions = 4;

    private static bool WritesAny(InstructionInfo info, ReadOnlySpan<Register> registers)
    {
        foreach (var used in info.GetUsedRegisters())
        {
            if (X86Code.IsWrite(used.Access) && registers.Contains(used.Register.GetFullRegister()))
            {
                return true;
            }
        }

        return false;
    }
}
