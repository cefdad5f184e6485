using System.Globalization;
using Ebpf.ProtocolTracing;

namespace Ebpf.ProtocolTracing.E2e;

/// <summary>The host's command line, turned into tracer options.</summary>
internal static class HostArguments
{
    public static ProtocolTracingOptions Parse(string[] args, out TimeSpan statusInterval)
    {
        var options = new ProtocolTracingOptions();
        statusInterval = TimeSpan.FromSeconds(2);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pid":
                    options.ProcessIds.Add(int.Parse(Value(args, ref i), CultureInfo.InvariantCulture));
                    break;
                case "--ring-bytes":
                    options.RingBufferBytes = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--capture-bytes":
                    options.CaptureBytesPerEvent = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--status-seconds":
                    statusInterval = TimeSpan.FromSeconds(double.Parse(Value(args, ref i), CultureInfo.InvariantCulture));
                    break;
                case "--no-tls":
                    options.TraceTls = false;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'; expected --pid N, --ring-bytes N, --capture-bytes N, --status-seconds S or --no-tls.");
            }
        }

        return options;
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
