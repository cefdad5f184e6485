using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tls;

/// <summary>
/// Finds the one function that OpenSSL's <c>SSL_read</c> and <c>SSL_read_ex</c> (or <c>SSL_write</c>
/// and <c>SSL_write_ex</c>) both hand their call to. In OpenSSL 1.1.1 and 3.0 both are thin wrappers
/// over an internal function with <c>SSL_read_ex</c>'s contract — <c>(SSL *s, void *buf, size_t num,
/// size_t *done)</c>, 1 on success with the count in <c>*done</c> — and a distribution's build may start
/// the wrappers with an instruction the kernel single-steps while the body starts with one it emulates
/// (see <see cref="UprobeEmulation"/>). Probing the body instead then saves a trap per call.
/// <para>
/// The contract is checked from the machine code, not assumed from a version: before its first call,
/// the <c>_ex</c> wrapper must leave all four argument registers untouched (so the callee takes
/// exactly its arguments), and the plain wrapper must leave <c>rdi</c> and <c>rsi</c> untouched, at most
/// widen its <c>int</c> count in <c>rdx</c>, and point <c>rcx</c> into its own frame (its local count);
/// neither may jump or call anywhere else first, and both must call the same address. Any other shape
/// (a newer OpenSSL whose internal function takes flags, BoringSSL, a build that inlined the body) gives
/// no answer, and the wrappers are probed themselves.
/// </para>
/// </summary>
internal static class OpenSslSharedBody
{
    /// <summary>Instructions decoded before giving up on finding the wrapper's call.</summary>
    private const int MaxPrefixInstructions = 24;

    /// <summary>
    /// The address of the body both wrappers call with <c>SSL_read_ex</c>'s contract, or
    /// <see langword="null"/> when the code does not show one.
    /// </summary>
    /// <param name="plainCode">The start of <c>SSL_read</c>/<c>SSL_write</c>.</param>
    /// <param name="plainAddress">Its virtual address.</param>
    /// <param name="exCode">The start of <c>SSL_read_ex</c>/<c>SSL_write_ex</c>.</param>
    /// <param name="exAddress">Its virtual address.</param>
    public static ulong? Find(ReadOnlySpan<byte> plainCode, ulong plainAddress, ReadOnlySpan<byte> exCode, ulong exAddress)
    {
        var fromPlain = FirstCall(plainCode, plainAddress, plainWrapper: true);
        var fromEx = FirstCall(exCode, exAddress, plainWrapper: false);
        return fromPlain is not null && fromPlain == fromEx ? fromPlain : null;
    }

    private static ulong? FirstCall(ReadOnlySpan<byte> code, ulong address, bool plainWrapper)
    {
        var decoder = X86Code.Decoder(code, address);
        var info = new InstructionInfoFactory();
        var end = address + (ulong)code.Length;
        var doneArgumentReady = !plainWrapper;
        for (var i = 0; i < MaxPrefixInstructions && decoder.IP < end; i++)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid || instruction.NextIP > end)
            {
                return null;
            }

            if (instruction.Code == Code.Call_rel32_64)
            {
                return doneArgumentReady ? instruction.NearBranch64 : null;
            }

            // Straight-line code up to the call; a conditional jump is the wrapper's argument check.
            if (instruction.FlowControl is not (FlowControl.Next or FlowControl.ConditionalBranch))
            {
                return null;
            }

            foreach (var used in info.GetInfo(instruction).GetUsedRegisters())
            {
                if (!X86Code.IsWrite(used.Access))
                {
                    continue;
                }

                switch (used.Register.GetFullRegister())
                {
                    case Register.RDI or Register.RSI:
                        return null;
                    case Register.RDX when !(plainWrapper && WidensCount(instruction)):
                        return null;
                    case Register.RCX when !plainWrapper:
                        return null;
                    case Register.RCX:
                        doneArgumentReady = PointsIntoFrame(instruction);
                        break;
                }
            }
        }

        return null;
    }

    /// <summary><c>movsxd rdx, edx</c> or <c>mov edx, edx</c>: the int count made a size_t.</summary>
    private static bool WidensCount(in Instruction instruction) =>
        instruction.Op0Kind == OpKind.Register && instruction.Op1Kind == OpKind.Register && instruction.Op1Register == Register.EDX
        && ((instruction.Code == Code.Movsxd_r64_rm32 && instruction.Op0Register == Register.RDX)
            || (instruction.Code is Code.Mov_r32_rm32 or Code.Mov_rm32_r32 && instruction.Op0Register == Register.EDX));

    /// <summary><c>mov rcx, rsp</c> or <c>lea rcx, [rsp+disp]</c>: the address of a local.</summary>
    private static bool PointsIntoFrame(in Instruction instruction) =>
        instruction.Op0Kind == OpKind.Register && instruction.Op0Register == Register.RCX
        && ((instruction.Code is Code.Mov_r64_rm64 or Code.Mov_rm64_r64 && instruction.Op1Kind == OpKind.Register && instruction.Op1Register == Register.RSP)
            || (instruction.Code == Code.Lea_r64_m && instruction.MemoryBase == Register.RSP && instruction.MemoryIndex == Register.None));
}
