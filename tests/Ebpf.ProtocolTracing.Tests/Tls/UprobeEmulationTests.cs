using Ebpf.ProtocolTracing.Tls;
using Iced.Intel;

namespace Ebpf.ProtocolTracing.Tests.Tls;

/// <summary>Which instructions a uprobe runs without a single-step trap, and where an entry probe may move to use one.</summary>
public sealed class UprobeEmulationTests
{
    private static readonly Register[] GoArguments = [Register.RAX, Register.RBX, Register.RCX, Register.R14, Register.RSP];

    [Theory]
    [InlineData(new byte[] { 0x41, 0x55 }, true)]                   // push r13
    [InlineData(new byte[] { 0x55 }, true)]                         // push rbp
    [InlineData(new byte[] { 0x90 }, true)]                         // nop
    [InlineData(new byte[] { 0xE8, 0, 0, 0, 0 }, true)]             // call rel32
    [InlineData(new byte[] { 0xEB, 0x10 }, true)]                   // jmp rel8
    [InlineData(new byte[] { 0x0F, 0x84, 0, 1, 0, 0 }, true)]       // je rel32
    [InlineData(new byte[] { 0x48, 0x83, 0xEC, 0x18 }, false)]      // sub rsp,0x18
    [InlineData(new byte[] { 0xF3, 0x0F, 0x1E, 0xFA }, false)]      // endbr64
    [InlineData(new byte[] { 0x49, 0x3B, 0x66, 0x10 }, false)]      // cmp rsp,[r14+0x10] (a Go stack check)
    [InlineData(new byte[] { 0xFF, 0x74, 0x24, 0x08 }, false)]      // push qword [rsp+8]
    [InlineData(new byte[] { 0xC3 }, false)]                        // ret
    public void The_kernel_emulates_pushes_of_registers_nops_and_direct_branches_only(byte[] code, bool emulated)
    {
        Assert.Equal(emulated, UprobeEmulation.StartsWithEmulated(code, 0x1000));
    }

    [Fact]
    public void Assembled_prologues_agree_with_the_emulation_rule()
    {
        var assembler = new Assembler(64);
        assembler.push(AssemblerRegisters.r14);
        Assert.True(UprobeEmulation.StartsWithEmulated(Assemble(assembler), 0x1000));

        assembler = new Assembler(64);
        assembler.mov(AssemblerRegisters.rax, AssemblerRegisters.rdi);
        Assert.False(UprobeEmulation.StartsWithEmulated(Assemble(assembler), 0x1000));
    }

    [Fact]
    public void A_go_stack_check_moves_the_entry_probe_to_its_conditional_jump()
    {
        byte[] small =
        [
            0x49, 0x3B, 0x66, 0x10,             // cmp rsp, [r14+0x10]
            0x76, 0x08,                         // jbe +8 (morestack)
            0x48, 0x83, 0xEC, 0x68,             // sub rsp, 0x68
            0x90, 0x90, 0x90, 0x90,
            0xE8, 0x00, 0x00, 0x00, 0x00,       // call (morestack)
            0xEB, 0xEB,                         // jmp back to the function's start
        ];
        byte[] large =
        [
            0x4C, 0x8D, 0x64, 0x24, 0x98,       // lea r12, [rsp-0x68]
            0x4D, 0x3B, 0x66, 0x10,             // cmp r12, [r14+0x10]
            0x76, 0x02,                         // jbe +2
            0x90, 0x90,
            0xC3,
        ];

        Assert.Equal(4, UprobeEmulation.EmulatedEntryOffset(small, 0x1000, GoArguments));
        Assert.Equal(9, UprobeEmulation.EmulatedEntryOffset(large, 0x1000, GoArguments));
    }

    [Fact]
    public void The_entry_stays_when_the_prefix_writes_an_argument_or_a_branch_lands_in_it()
    {
        byte[] writesRbx = [0x48, 0x89, 0xC3, 0x76, 0x02, 0x90, 0x90, 0xC3];                 // mov rbx, rax; jbe
        byte[] jumpedInto = [0x49, 0x3B, 0x66, 0x10, 0x76, 0x02, 0x90, 0x90, 0xEB, 0xFA, 0xC3]; // jmp back onto the jbe
        byte[] alreadyEmulated = [0x55, 0x48, 0x89, 0xE5, 0xC3];                              // push rbp first
        byte[] nothingNear = [0x48, 0x83, 0xEC, 0x08, 0x48, 0x83, 0xC4, 0x08, 0x48, 0x31, 0xC0, 0x48, 0x31, 0xD2, 0x48, 0x31, 0xFF, 0x90, 0xC3];

        Assert.Equal(0, UprobeEmulation.EmulatedEntryOffset(writesRbx, 0x1000, GoArguments));
        Assert.Equal(0, UprobeEmulation.EmulatedEntryOffset(jumpedInto, 0x1000, GoArguments));
        Assert.Equal(0, UprobeEmulation.EmulatedEntryOffset(alreadyEmulated, 0x1000, GoArguments));
        Assert.Equal(0, UprobeEmulation.EmulatedEntryOffset(nothingNear, 0x1000, GoArguments));
        Assert.Equal(0, UprobeEmulation.EmulatedEntryOffset([0x49, 0x3B, 0x66], 0x1000, GoArguments)); // truncated
    }

    private static byte[] Assemble(Assembler assembler)
    {
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), 0x1000);
        return stream.ToArray();
    }
}
