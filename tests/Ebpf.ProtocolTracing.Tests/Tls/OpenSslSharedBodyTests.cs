using Ebpf.ProtocolTracing.Tls;

namespace Ebpf.ProtocolTracing.Tests.Tls;

/// <summary>
/// The shared body of OpenSSL's read/write wrappers is found only when the machine code shows the
/// <c>SSL_read_ex</c> contract.
/// </summary>
public sealed class OpenSslSharedBodyTests
{
    private const ulong PlainAddress = 0x35430;
    private const ulong ExAddress = 0x354c0;
    private const ulong Body = 0x35290;

    // Debian's OpenSSL 3.0 SSL_read, up to its call: sub rsp,0x18; stack guard; xor eax; test edx; js error;
    // mov rcx,rsp; movsxd rdx,edx; call body.
    private static byte[] PlainWrapper(ulong target = Body, byte[]? beforeCall = null) =>
    [
        0x48, 0x83, 0xEC, 0x18,
        0x64, 0x48, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00,
        0x48, 0x89, 0x44, 0x24, 0x08,
        0x31, 0xC0,
        0x85, 0xD2,
        0x78, 0x2F,
        .. beforeCall ?? [0x48, 0x89, 0xE1, 0x48, 0x63, 0xD2],
        .. Call(PlainAddress + 24 + (ulong)(beforeCall?.Length ?? 6), target),
        0x85, 0xC0, 0x7E, 0x03, 0x8B, 0x04, 0x24,
    ];

    // Debian's SSL_read_ex: sub rsp,8; call body.
    private static byte[] ExWrapper(ulong target = Body, byte[]? beforeCall = null) =>
    [
        0x48, 0x83, 0xEC, 0x08,
        .. beforeCall ?? [],
        .. Call(ExAddress + 4 + (ulong)(beforeCall?.Length ?? 0), target),
        0x31, 0xD2, 0x85, 0xC0, 0x0F, 0x48, 0xC2,
    ];

    private static byte[] Call(ulong at, ulong target)
    {
        var relative = checked((int)((long)target - (long)(at + 5)));
        return [0xE8, .. BitConverter.GetBytes(relative)];
    }

    [Fact]
    public void Wrappers_of_debians_shape_share_their_body()
    {
        Assert.Equal(Body, OpenSslSharedBody.Find(PlainWrapper(), PlainAddress, ExWrapper(), ExAddress));
    }

    [Fact]
    public void Lea_of_a_local_also_passes_the_count_pointer()
    {
        byte[] leaRcx = [0x48, 0x8D, 0x4C, 0x24, 0x08, 0x48, 0x63, 0xD2]; // lea rcx,[rsp+8]; movsxd rdx,edx

        Assert.Equal(Body, OpenSslSharedBody.Find(PlainWrapper(beforeCall: leaRcx), PlainAddress, ExWrapper(), ExAddress));
    }

    [Fact]
    public void Wrappers_calling_different_functions_share_nothing()
    {
        Assert.Null(OpenSslSharedBody.Find(PlainWrapper(), PlainAddress, ExWrapper(target: Body + 0x100), ExAddress));
    }

    [Fact]
    public void A_body_that_takes_flags_before_the_count_pointer_is_not_taken()
    {
        // OpenSSL 3.2+'s shape: ssl_write_internal(s, buf, num, flags = 0, &written in r8).
        byte[] flagsThenPointer = [0x31, 0xC9, 0x49, 0x89, 0xE0, 0x48, 0x63, 0xD2]; // xor ecx,ecx; mov r8,rsp; movsxd rdx,edx

        Assert.Null(OpenSslSharedBody.Find(PlainWrapper(beforeCall: flagsThenPointer), PlainAddress, ExWrapper(), ExAddress));
    }

    [Theory]
    [InlineData(new byte[] { 0x48, 0x89, 0xE1, 0x48, 0x89, 0xC7 })]       // mov rcx,rsp; mov rdi,rax: another SSL*
    [InlineData(new byte[] { 0x48, 0x89, 0xE1, 0x48, 0x83, 0xC6, 0x10 })] // mov rcx,rsp; add rsi,16: another buffer
    [InlineData(new byte[] { 0x48, 0x89, 0xE1, 0xBA, 0x10, 0x00, 0x00, 0x00 })] // mov rcx,rsp; mov edx,16: another count
    [InlineData(new byte[] { 0x48, 0x89, 0xE1, 0x48, 0x89, 0xC1 })]       // mov rcx,rsp; mov rcx,rax: not a local any more
    [InlineData(new byte[] { 0x48, 0x89, 0xE1, 0xEB, 0x00 })]             // mov rcx,rsp; jmp: not straight-line
    public void A_plain_wrapper_that_changes_the_arguments_is_not_followed(byte[] beforeCall)
    {
        Assert.Null(OpenSslSharedBody.Find(PlainWrapper(beforeCall: beforeCall), PlainAddress, ExWrapper(), ExAddress));
    }

    [Theory]
    [InlineData(new byte[] { 0x48, 0x89, 0xE1 })] // mov rcx,rsp: the caller's count pointer replaced
    [InlineData(new byte[] { 0x48, 0x31, 0xD2 })] // xor rdx,rdx
    [InlineData(new byte[] { 0x48, 0x89, 0xC6 })] // mov rsi,rax
    public void An_ex_wrapper_must_pass_its_arguments_through(byte[] beforeCall)
    {
        Assert.Null(OpenSslSharedBody.Find(PlainWrapper(), PlainAddress, ExWrapper(beforeCall: beforeCall), ExAddress));
    }

    [Fact]
    public void Truncated_code_gives_no_answer()
    {
        var plain = PlainWrapper();

        Assert.Null(OpenSslSharedBody.Find(plain.AsSpan(0, 26), PlainAddress, ExWrapper(), ExAddress));
    }
}
