using System.Buffers;
using System.Buffers.Binary;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>Which messages a stream may carry, as far as its parser knows.</summary>
internal enum PostgresStreamSide
{
    /// <summary>Not known yet: frontend or backend messages.</summary>
    Either,
    Frontend,
    Backend,
}

/// <summary>
/// Finds where a message starts in bytes that begin at an unknown place (after a gap, or when tracing
/// started mid-connection). A candidate is a known type byte with a length that fits it, followed by
/// another such message; one whose next message is not in the bytes yet is taken when it ends exactly
/// where the bytes end (syscalls usually carry whole messages) or when it is still incomplete.
/// </summary>
internal static class PostgresFrameFinder
{
    /// <summary>Longest first message accepted as a candidate before its end is seen.</summary>
    private const int MaxUnseenCandidateLength = 1 << 20;

    /// <summary>Bytes looked at contiguously; candidates further in are found on a later call.</summary>
    private const int Window = 64 * 1024;

    /// <summary>Finds the first frame start in <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to search.</param>
    /// <param name="side">Which messages the stream carries.</param>
    /// <param name="allowStartup">Whether an untyped startup-phase message (StartupMessage, SSLRequest, …) may start here.</param>
    /// <param name="offset">Where the frame starts.</param>
    /// <param name="isStartup">Whether that frame is an untyped startup-phase message.</param>
    /// <param name="frontend">Whether that frame is a frontend message (meaningful when <paramref name="side"/> is Either).</param>
    public static bool TryFind(in ReadOnlySequence<byte> data, PostgresStreamSide side, bool allowStartup, out long offset, out bool isStartup, out bool frontend)
    {
        offset = 0;
        isStartup = false;
        frontend = side != PostgresStreamSide.Backend;
        byte[]? copy = null;
        ReadOnlySpan<byte> window;
        if (data.IsSingleSegment || data.FirstSpan.Length >= Window)
        {
            window = data.FirstSpan.Length > Window ? data.FirstSpan[..Window] : data.FirstSpan;
        }
        else
        {
            copy = data.Slice(0, Math.Min(data.Length, Window)).ToArray();
            window = copy;
        }

        long total = data.Length;
        for (int i = 0; i + 5 <= window.Length; i++)
        {
            if (allowStartup && side != PostgresStreamSide.Backend && IsStartupCandidate(window[i..], total - i))
            {
                offset = i;
                isStartup = true;
                frontend = true;
                return true;
            }

            if (IsTypedCandidate(data, window, i, total, side, out frontend))
            {
                offset = i;
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="bytes"/> start with a plausible untyped message (length, then a known code).</summary>
    public static bool IsStartupCandidate(ReadOnlySpan<byte> bytes, long available)
    {
        if (bytes.Length < 8)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int code = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        bool known = code switch
        {
            PostgresMessageTypes.SslRequestCode or PostgresMessageTypes.GssEncRequestCode => length == 8,
            PostgresMessageTypes.CancelRequestCode => length is >= 16 and <= 264,
            _ => (code >> 16) == 3 && length is > 8 and <= PostgresMessageTypes.MaxStartupLength,
        };

        // A startup-phase message is alone in its write: the client waits for the answer.
        return known && available >= length && (available == length || length == 8 || bytes.Length <= length || bytes[length - 1] == 0);
    }

    private static bool IsTypedCandidate(in ReadOnlySequence<byte> data, ReadOnlySpan<byte> window, int i, long total, PostgresStreamSide side, out bool frontend)
    {
        byte type = window[i];
        int length = BinaryPrimitives.ReadInt32BigEndian(window[(i + 1)..]);
        frontend = side != PostgresStreamSide.Backend;
        if (!Fits(type, length, side, out frontend))
        {
            return false;
        }

        long end = i + 1L + length;
        if (end >= total)
        {
            return end == total || length <= MaxUnseenCandidateLength;
        }

        if (end + 5 > total)
        {
            return true;
        }

        Span<byte> next = stackalloc byte[5];
        if (end + 5 <= window.Length)
        {
            window.Slice((int)end, 5).CopyTo(next);
        }
        else
        {
            data.Slice(end, 5).CopyTo(next);
        }

        return Fits(next[0], BinaryPrimitives.ReadInt32BigEndian(next[1..]), frontend ? PostgresStreamSide.Frontend : PostgresStreamSide.Backend, out _);
    }

    private static bool Fits(byte type, int length, PostgresStreamSide side, out bool frontend)
    {
        frontend = side != PostgresStreamSide.Backend;
        if (side != PostgresStreamSide.Backend && PostgresMessageTypes.IsFrontend(type) && PostgresMessageTypes.IsPlausibleLength(type, frontend: true, length))
        {
            frontend = true;
            return true;
        }

        if (side != PostgresStreamSide.Frontend && PostgresMessageTypes.IsBackend(type) && PostgresMessageTypes.IsPlausibleLength(type, frontend: false, length))
        {
            frontend = false;
            return true;
        }

        return false;
    }
}
