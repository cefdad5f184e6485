using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// Routes libbpf's log lines (printf-style, handed over as a <c>va_list</c>) to an <see cref="ILogger"/>,
/// and lets a caller collect the warnings of one operation (the verifier log of a failed load).
/// </summary>
internal static unsafe partial class LibBpfLog
{
    private const int LibbpfWarn = 0;
    private const int LibbpfInfo = 1;

    private static readonly object Gate = new();
    private static volatile ILogger? logger;
    private static bool installed;

    [ThreadStatic]
    private static StringBuilder? capture;

    /// <summary>Sends libbpf's log to <paramref name="target"/> from now on (libbpf has one, process-wide, print callback).</summary>
    public static void Install(ILogger target)
    {
        logger = target;
        lock (Gate)
        {
            if (!installed)
            {
                LibBpf.SetPrint(&Print);
                installed = true;
            }
        }
    }

    /// <summary>
    /// Collects the warnings libbpf prints on this thread until the returned scope is disposed
    /// (libbpf prints on the thread that called it).
    /// </summary>
    public static WarningCapture CaptureWarnings() => new();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint arguments)
    {
        try
        {
            var target = logger;
            var logLevel = level switch
            {
                LibbpfWarn => LogLevel.Warning,
                LibbpfInfo => LogLevel.Debug,
                _ => LogLevel.Trace,
            };
            var capturing = level == LibbpfWarn && capture is not null;
            if (!capturing && (target is null || !target.IsEnabled(logLevel)))
            {
                return 0;
            }

            var text = Format(format, arguments).TrimEnd('\n');
            if (capturing)
            {
                capture!.Append(text).Append('\n');
            }

            if (target is not null)
            {
                LogLine(target, logLevel, text);
            }
        }
#pragma warning disable CA1031 // An exception must not unwind into libbpf's C frames.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return 0;
    }

    private static string Format(byte* format, nint arguments)
    {
        // vsnprintf consumes its va_list, so measuring first needs a copy. va_copy is a plain copy of the
        // va_list structure on x86-64 (24 bytes) and arm64 (32 bytes); elsewhere a fixed buffer is used.
        var vaListSize = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 32,
            _ => 0,
        };
        var length = 4095;
        if (vaListSize > 0)
        {
            var copy = stackalloc byte[32];
            Buffer.MemoryCopy((void*)arguments, copy, 32, vaListSize);
            length = LibC.VsnPrintf(null, 0, format, (nint)copy);
            if (length <= 0)
            {
                return string.Empty;
            }
        }

        var rented = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            fixed (byte* buffer = rented)
            {
                var written = LibC.VsnPrintf(buffer, (nuint)(length + 1), format, arguments);
                return written <= 0 ? string.Empty : Encoding.UTF8.GetString(buffer, Math.Min(written, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [LoggerMessage(EventId = 1, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, LogLevel level, string line);

    /// <summary>The warnings libbpf printed on this thread while the scope was open.</summary>
    internal sealed class WarningCapture : IDisposable
    {
        private readonly StringBuilder? previous;
        private readonly StringBuilder text = new();

        internal WarningCapture()
        {
            previous = capture;
            capture = text;
        }

        /// <summary>The last <paramref name="maxLines"/> non-empty lines collected so far.</summary>
        public string Tail(int maxLines)
        {
            var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - maxLines)));
        }

        /// <summary>Everything collected so far.</summary>
        public override string ToString() => text.ToString();

        /// <summary>Stops collecting.</summary>
        public void Dispose() => capture = previous;
    }
}
