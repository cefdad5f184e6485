using System.Collections;
using System.Reflection;
using Ebpf.ProtocolTracing.Metadata;
using Ebpf.ProtocolTracing.Tracking;

namespace Ebpf.ProtocolTracing.Tests.Reliability;

/// <summary>
/// Reads the running tracer's connection tracker and process table, which the public API does not show,
/// so the reliability tests can bound them. A renamed field fails the test with a message, never passes it.
/// </summary>
internal static class TracerInternals
{
    /// <summary>The tracker of a started tracer.</summary>
    public static ConnectionTracker Tracker(IProtocolTracer tracer) =>
        Field<ConnectionTracker>(tracer, "_tracker");

    /// <summary>The pids in the tracker's process metadata cache now.</summary>
    public static List<int> CachedProcessIds(IProtocolTracer tracer)
    {
        var cache = Field<ProcessMetadataCache>(Field<ConnectionInfoFactory>(Tracker(tracer), "_infoFactory"), "_processes");
        var entries = Field<IDictionary>(cache, "_entries");
        return Retry(() =>
        {
            var pids = new List<int>();
            foreach (var key in entries.Keys)
            {
                pids.Add(((ValueTuple<int, ulong>)key).Item1);
            }

            return pids;
        });
    }

    /// <summary>How many connections of process <paramref name="pid"/> the tracker holds now.</summary>
    public static int TrackedConnectionsOf(IProtocolTracer tracer, int pid)
    {
        var connections = Field<IDictionary>(Tracker(tracer), "_connections");
        return Retry(() =>
        {
            int count = 0;
            foreach (var key in connections.Keys)
            {
                if (((TrackedConnectionKey)key).Id.Pid == pid)
                {
                    count++;
                }
            }

            return count;
        });
    }

    // The tracker's thread may change a collection while a test thread reads it: read again.
    private static T Retry<T>(Func<T> read)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException && attempt < 100)
            {
                Thread.Sleep(10);
            }
        }
    }

    private static T Field<T>(object owner, string name)
        where T : class
    {
        var field = owner.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{owner.GetType().Name} has no field {name} any more; update {nameof(TracerInternals)}.");
        return field.GetValue(owner) as T
            ?? throw new InvalidOperationException($"{owner.GetType().Name}.{name} is null or not a {typeof(T).Name} (is the tracer started?).");
    }
}
