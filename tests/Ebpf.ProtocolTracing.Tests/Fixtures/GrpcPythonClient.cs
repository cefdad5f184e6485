namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A gRPC client in another language: python3-grpcio (from apt) calling the test service through the
/// generic stub API, with the protobuf bytes built by hand, so no code generation is needed.
/// </summary>
internal static class GrpcPythonClient
{
    /// <summary>apt's interpreter: python3-grpcio installs the module for it, not for other pythons on the PATH.</summary>
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, grpc
        port, name = sys.argv[1], sys.argv[2]
        request = b"\x0a" + bytes([len(name)]) + name.encode()
        with grpc.insecure_channel("127.0.0.1:" + port) as channel:
            hello = channel.unary_unary("/test.Greeter/SayHello", request_serializer=None, response_deserializer=None)
            reply = hello(request, timeout=10)
            lots = channel.unary_stream("/test.Greeter/Lots", request_serializer=None, response_deserializer=None)
            count = sum(1 for _ in lots(request, timeout=10))
            sys.stdout.write(reply[2:2 + reply[1]].decode() + " " + str(count))
        """;

    /// <summary>Whether apt's python3 with the grpc module is installed.</summary>
    public static bool IsAvailable()
    {
        try
        {
            var run = ProcessRun.RunAsync(Python, ["-c", "import grpc"], TestTimeouts.Process).GetAwaiter().GetResult();
            return run.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Calls SayHello and Lots once each; asserts the client succeeded.</summary>
    public static async Task<ProcessRun> RunAsync(int port, string name)
    {
        var run = await ProcessRun.RunAsync(Python, ["-c", Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), name], TestTimeouts.Process);
        Assert.True(run.ExitCode == 0, $"the python gRPC client exited with {run.ExitCode}: {run.StandardError}");
        Assert.Equal($"hello {name} 3", run.StandardOutput);
        return run;
    }
}
