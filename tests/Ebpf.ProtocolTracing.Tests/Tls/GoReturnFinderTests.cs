using Ebpf.ProtocolTracing.Tls;

namespace Ebpf.ProtocolTracing.Tests.Tls;

/// <summary>The RET finder decodes instructions: 0xC3 bytes inside other instructions are not returns.</summary>
public sealed class GoReturnFinderTests
{
    [Fact]
    public void C3_bytes_inside_immediates_displacements_and_modrm_are_not_returns()
    {
        byte[] code =
        [
            0xB8, 0xC3, 0xC3, 0xC3, 0xC3,             // mov eax, 0xC3C3C3C3
            0x48, 0x8B, 0x83, 0xC3, 0x00, 0x00, 0x00, // mov rax, [rbx+0xC3]
            0x48, 0x89, 0xC3,                         // mov rbx, rax (ModRM 0xC3)
            0xC3,                                     // ret            (offset 15)
            0x48, 0x83, 0xC3, 0x08,                   // add rbx, 8
            0xC2, 0x08, 0x00,                         // ret 8          (offset 20)
            0xCC,                                     // int3 (padding)
        ];

        var returns = GoReturnFinder.FindReturns(code, address: 0x401000);

        Assert.Equal([15, 20], returns);
    }

    [Fact]
    public void A_function_without_return_has_none()
    {
        byte[] code = [0xE8, 0x00, 0x00, 0x00, 0x00, 0xEB, 0xF9]; // call +0; jmp back

        Assert.Equal([], GoReturnFinder.FindReturns(code, address: 0x1000));
    }

    [Fact]
    public void Bytes_that_do_not_decode_give_no_answer()
    {
        byte[] truncated = [0xC3, 0x48, 0x8B]; // ret, then half an instruction at the end

        Assert.Null(GoReturnFinder.FindReturns(truncated, address: 0x1000));
        Assert.Null(GoReturnFinder.FindReturns([0x06, 0xC3], address: 0x1000)); // push es: invalid in 64-bit mode
    }
}
