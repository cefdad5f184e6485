using System.Globalization;

namespace Ebpf.ProtocolTracing.Soak;

/// <summary>Command line: <c>--csv PATH [--pid N]... [--interval SECONDS] [--duration SECONDS]</c>.</summary>
internal sealed record SoakSettings(string CsvPath, IReadOnlyList<int> ProcessIds, TimeSpan Interval, TimeSpan Duration)
{
    public static SoakSettings Parse(string[] args)
    {
        string? csv = null;
        var pids = new List<int>();
        var interval = TimeSpan.FromSeconds(10);
        var duration = TimeSpan.FromHours(24);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--csv":
                    csv = Value();
                    break;
                case "--pid":
                    pids.Add(int.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--interval":
                    interval = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--duration":
                    duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: soak-tracer --csv PATH [--pid N]... [--interval SECONDS] [--duration SECONDS]");
            }
        }

        return new SoakSettings(csv ?? throw new ArgumentException("--csv PATH is required."), pids, interval, duration);
    }
}
