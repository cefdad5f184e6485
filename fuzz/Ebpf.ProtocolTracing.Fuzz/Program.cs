using Ebpf.ProtocolTracing.Fuzz;

// protocol-fuzz list
// protocol-fuzz afl <target>                               (under afl-fuzz, after sharpfuzz instrumented the assemblies)
// protocol-fuzz mutate <target> <seconds> <corpus> <findings> [seed]
// protocol-fuzz run <target> <file-or-folder>...           (reproduce findings; exit 1 when any input fails)
// protocol-fuzz minimize <target> <input> <output>         (shrink a failing input, same failure)
if (args.Length == 0)
{
    return Usage();
}

if (args[0] == "list")
{
    foreach (var each in Targets.All())
    {
        Console.WriteLine(each.Name);
    }

    return 0;
}

if (args.Length == 2 && args[0] == "afl")
{
    // Instrumented code (the parsers, even their constructors) must first run inside the fuzzing
    // loop, where the coverage map exists; so the target is created there.
    var name = args[1];
    IFuzzTarget? aflTarget = null;
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        aflTarget ??= Targets.Find(name) ?? throw new ArgumentException($"No fuzz target named '{name}'; see: protocol-fuzz list.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        aflTarget.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    });
    return 0;
}

if (args.Length < 2 || Targets.Find(args[1]) is not { } target)
{
    return Usage();
}

switch (args[0])
{

    case "mutate" when args.Length >= 5:
        var seconds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seed = args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        var corpus = Directory.Exists(args[3]) ? Directory.GetFiles(args[3]).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList() : [];
        return new MutationRun(target, args[4]).Run(TimeSpan.FromSeconds(seconds), corpus, seed);

    case "minimize" when args.Length == 4:
        var minimal = Minimizer.Minimize(target, File.ReadAllBytes(args[2]));
        File.WriteAllBytes(args[3], minimal);
        Console.WriteLine($"{target.Name}: {minimal.Length} bytes written to {args[3]}");
        return 0;

    case "run":
        var failed = 0;
        var files = args.Skip(2).SelectMany<string, string>(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : [p]).ToList();
        foreach (var file in files)
        {
            try
            {
                var records = target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: {records} records");
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failed++;
                Console.WriteLine($"{file}: {exception}");
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count - failed} of {files.Count} inputs ran cleanly");
        return failed == 0 ? 0 : 1;

    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: protocol-fuzz list | afl <target> | mutate <target> <seconds> <corpus> <findings> [seed] | run <target> <file-or-folder>... | minimize <target> <input> <output>");
    return 2;
}
