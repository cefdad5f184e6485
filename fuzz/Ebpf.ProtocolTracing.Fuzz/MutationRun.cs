using System.Diagnostics;
using System.Security.Cryptography;

namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// Runs one target on mutated corpus entries for a while, saving each distinct crash and any input that
/// runs longer than the hang limit to the findings folder.
/// </summary>
internal sealed class MutationRun
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    private readonly IFuzzTarget _target;
    private readonly string _findings;
    private readonly HashSet<string> _seenCrashes = new(StringComparer.Ordinal);
    private long _runningSinceTicks;
    private byte[] _current = [];

    public MutationRun(IFuzzTarget target, string findings)
    {
        _target = target;
        _findings = findings;
    }

    public long Executions { get; private set; }

    public int Crashes { get; private set; }

    public int Run(TimeSpan duration, IReadOnlyList<byte[]> corpus, int seed)
    {
        Directory.CreateDirectory(_findings);
        var watchdog = new Thread(Watch) { IsBackground = true, Name = "hang watchdog" };
        watchdog.Start();
        var mutator = new Mutator(seed);
        var clock = Stopwatch.StartNew();

        // Seeds first, unmutated: a seed that already fails is the cheapest finding.
        foreach (var entry in corpus)
        {
            Execute(entry);
        }

        while (clock.Elapsed < duration)
        {
            Execute(mutator.Mutate(corpus));
        }

        Volatile.Write(ref _runningSinceTicks, 0);
        Console.WriteLine($"{_target.Name}: {Executions} executions in {clock.Elapsed.TotalSeconds:F0} s, {Crashes} distinct crashes, 0 hangs");
        return Crashes == 0 ? 0 : 1;
    }

    private void Execute(byte[] input)
    {
        _current = input;
        Volatile.Write(ref _runningSinceTicks, Stopwatch.GetTimestamp());
        try
        {
            _target.Run(input);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var signature = Signature(exception);
            if (_seenCrashes.Add(signature))
            {
                Crashes++;
                var path = Save("crash", input);
                Console.WriteLine($"{_target.Name}: CRASH {path}\n{exception}\n");
            }
        }

        Volatile.Write(ref _runningSinceTicks, 0);
        Executions++;
    }

    private void Watch()
    {
        while (true)
        {
            Thread.Sleep(250);
            var since = Volatile.Read(ref _runningSinceTicks);
            if (since != 0 && Stopwatch.GetElapsedTime(since) > HangLimit)
            {
                var path = Save("hang", _current);
                Console.WriteLine($"{_target.Name}: HANG (one input ran over {HangLimit.TotalSeconds:F0} s) {path}");
                Console.WriteLine($"{_target.Name}: {Executions} executions, {Crashes} distinct crashes, 1 hangs");
                Console.Out.Flush();
                Environment.Exit(3);
            }
        }
    }

    private string Save(string kind, byte[] input)
    {
        var name = $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}";
        var path = Path.Combine(_findings, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>The exception type and the innermost project frame: one crash site, however many inputs reach it.</summary>
    private static string Signature(Exception exception)
    {
        var frames = new StackTrace(exception, fNeedFileInfo: false).GetFrames();
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            if (method?.DeclaringType?.Namespace?.StartsWith("Ebpf.ProtocolTracing", StringComparison.Ordinal) == true
                && method.DeclaringType.Namespace != typeof(MutationRun).Namespace)
            {
                return $"{exception.GetType().FullName} at {method.DeclaringType.FullName}.{method.Name}";
            }
        }

        return $"{exception.GetType().FullName}: {exception.Message}";
    }
}
