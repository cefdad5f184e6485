using System.Diagnostics;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Tests.Integration.Tls;

/// <summary>
/// A Go HTTPS server and client (standard library only) built once per test run with the installed Go
/// toolchain, in a temporary directory with its own build cache. <c>server &lt;cert&gt; &lt;key&gt; &lt;h1|h2&gt;</c>
/// listens on 127.0.0.1 (a free port, printed as "listening &lt;port&gt;"); <c>client &lt;base-url&gt; &lt;h1|h2&gt;</c> prints
/// "ready", waits for a line on stdin, then sends a GET and a POST on one connection and prints
/// "status:length status:length protocol". Link variants (no DWARF, stripped) are built on request.
/// </summary>
internal static class GoTlsProgram
{
    /// <summary>The body the server answers GET /hello with.</summary>
    public const string HelloBody = "hello over go tls";

    /// <summary>The body the client POSTs to /items (the server answers 201 with its length).</summary>
    public static readonly string PostBody = new('g', 1800);

    private const string Source = """
        package main

        import (
        	"bufio"
        	"crypto/tls"
        	"fmt"
        	"io"
        	"net"
        	"net/http"
        	"os"
        	"strings"
        )

        func main() {
        	switch os.Args[1] {
        	case "server":
        		serve(os.Args[2], os.Args[3], os.Args[4] == "h2")
        	case "client":
        		request(os.Args[2], os.Args[3] == "h2")
        	}
        }

        func serve(cert, key string, h2 bool) {
        	mux := http.NewServeMux()
        	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
        		io.WriteString(w, "hello over go tls")
        	})
        	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
        		body, _ := io.ReadAll(r.Body)
        		w.WriteHeader(http.StatusCreated)
        		fmt.Fprintf(w, "stored %d bytes", len(body))
        	})
        	listener, err := net.Listen("tcp", "127.0.0.1:0")
        	if err != nil {
        		panic(err)
        	}
        	server := &http.Server{Handler: mux}
        	if !h2 {
        		server.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
        	}
        	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
        	os.Stdout.Sync()
        	panic(server.ServeTLS(listener, cert, key))
        }

        func request(base string, h2 bool) {
        	transport := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxConnsPerHost: 1, ForceAttemptHTTP2: h2}
        	if !h2 {
        		transport.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
        	}
        	client := &http.Client{Transport: transport}
        	fmt.Println("ready")
        	bufio.NewReader(os.Stdin).ReadString('\n')
        	get, err := client.Get(base + "/hello?from=go")
        	if err != nil {
        		panic(err)
        	}
        	got, _ := io.ReadAll(get.Body)
        	get.Body.Close()
        	post, err := client.Post(base+"/items", "text/plain", strings.NewReader(strings.Repeat("g", 1800)))
        	if err != nil {
        		panic(err)
        	}
        	stored, _ := io.ReadAll(post.Body)
        	post.Body.Close()
        	fmt.Printf("%d:%d %d:%d %s\n", get.StatusCode, len(got), post.StatusCode, len(stored), get.Proto)
        }
        """;

    private static readonly Lazy<Task<string>> Directory = new(CreateDirectoryAsync);
    private static readonly Dictionary<string, Task<string>> Builds = new(StringComparer.Ordinal);

    /// <summary>The program as built by default (symbols and DWARF).</summary>
    public static Task<string> BuildAsync() => BuildAsync("default");

    /// <summary>
    /// The program built as <paramref name="variant"/>: "default", "nodwarf" (<c>-ldflags=-w</c>), "stripped"
    /// (<c>-ldflags=-s -w</c>) or "pie" (<c>-buildmode=pie</c>). Each variant is built once.
    /// </summary>
    public static Task<string> BuildAsync(string variant)
    {
        lock (Builds)
        {
            if (!Builds.TryGetValue(variant, out var build))
            {
                build = BuildVariantAsync(variant);
                Builds[variant] = build;
            }

            return build;
        }
    }

    /// <summary>Starts the program with <paramref name="arguments"/>, its standard streams redirected.</summary>
    public static Process Start(string path, params string[] arguments)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
    }

    private static async Task<string> CreateDirectoryAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("go-tls-test-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "go.mod"), "module gotlstest\n\ngo 1.17\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "main.go"), Source);
        return directory;
    }

    private static async Task<string> BuildVariantAsync(string variant)
    {
        var directory = await Directory.Value;
        var output = Path.Combine(directory, "gotls-" + variant);
        var start = new ProcessStartInfo("go") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(output);
        switch (variant)
        {
            case "nodwarf":
                start.ArgumentList.Add("-ldflags=-w");
                break;
            case "stripped":
                start.ArgumentList.Add("-ldflags=-s -w");
                break;
            case "pie":
                start.ArgumentList.Add("-buildmode=pie");
                break;
        }

        start.ArgumentList.Add(".");
        start.Environment["GOFLAGS"] = "-mod=mod";
        start.Environment["GOCACHE"] = Path.Combine(directory, "cache");
        start.Environment["GOPATH"] = Path.Combine(directory, "gopath");
        start.Environment["CGO_ENABLED"] = "0";
        start.Environment["GOTOOLCHAIN"] = "local";
        using var go = Process.Start(start) ?? throw new InvalidOperationException("go did not start: install golang-go (scripts/install-prerequisites.sh)");
        var stderr = go.StandardError.ReadToEndAsync();
        _ = await go.StandardOutput.ReadToEndAsync();
        using var timer = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await go.WaitForExitAsync(timer.Token);
        if (go.ExitCode != 0)
        {
            var error = await stderr;
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"go build ({variant}) failed with {go.ExitCode}: {error}"));
        }

        return output;
    }
}
