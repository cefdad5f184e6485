using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>Words for libbpf's errno-style failures.</summary>
internal static class NativeError
{
    /// <summary>errno of a call that returned a negative error code (libbpf returns <c>-errno</c>).</summary>
    public static int FromResult(int result) => result < 0 ? -result : Marshal.GetLastPInvokeError();

    /// <summary>"EPERM (Operation not permitted)"-style text for <paramref name="errno"/>.</summary>
    public static string Describe(int errno) => $"errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}";
}
