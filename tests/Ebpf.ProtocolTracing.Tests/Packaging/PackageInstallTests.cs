using System.Diagnostics;
using Ebpf.ProtocolTracing.Tests.Fixtures;
using Ebpf.ProtocolTracing.Tests.Kernel;
using Ebpf.ProtocolTracing.Tests.Tracing;

namespace Ebpf.ProtocolTracing.Tests.Packaging;

/// <summary>
/// The advertised install, end to end: pack, add the package to a fresh console project from a folder
/// feed, run it as root, and see it print the HttpRecord of a curl request.
/// </summary>
[Collection("Kernel")]
public sealed class PackageInstallTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory = Directory.CreateTempSubdirectory("protocol-package-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [KernelFact]
    public async Task A_fresh_console_project_with_the_packed_library_prints_the_HttpRecord_of_a_curl_request()
    {
        var repository = FindRepositoryRoot();
        var feed = Path.Combine(_directory, "feed");
        var app = Path.Combine(_directory, "app");
        await RunAsync(repository, Path.Combine(repository, "scripts", "pack.sh"), feed);
        await RunAsync(_directory, "dotnet", "new", "console", "-o", app, "--framework", "net10.0");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await RunAsync(app, "dotnet", "add", "package", "Ebpf.ProtocolTracing", "--source", feed);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Ebpf.ProtocolTracing;
            using Ebpf.ProtocolTracing.Http;

            var port = int.Parse(args[0]);
            await using var tracer = new ProtocolTracer(new ProtocolTracingOptions());
            await tracer.StartAsync();
            Console.WriteLine("attached");
            await foreach (var record in tracer.ReadRecordsAsync())
            {
                if (record is HttpRecord http && http.LocalEndPoint?.Port == port)
                {
                    Console.WriteLine($"{http.Method} {http.Target} {http.StatusCode}");
                    return;
                }
            }
            """);
        await RunAsync(app, "dotnet", "build", "-c", "Release", "--nologo", "-v", "quiet");

        using var server = await LoopbackHttpServer.StartAsync(TestTimeouts.Process);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(app, "bin", "Release", "net10.0", "app.dll"));
        start.ArgumentList.Add(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Attach);
            Assert.Equal("attached", await process.StandardOutput.ReadLineAsync(timeout.Token));
            await CurlClient.GetAsync($"http://127.0.0.1:{server.Port}/hello.txt?from-package", TestTimeouts.Process);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.Equal("GET /hello.txt?from-package 200", line);
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    private static async Task RunAsync(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "pack.sh")))
                return directory.FullName;
        }

        throw new InvalidOperationException("scripts/pack.sh not found above " + AppContext.BaseDirectory);
    }
}
