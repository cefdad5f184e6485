using Grpc.Core;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// A gRPC service written without code generation: the methods are declared with pass-through byte
/// marshallers (the tests build their protobuf bytes by hand), and Grpc.AspNetCore binds them by name.
/// </summary>
/// <remarks>
/// Requests carry field 1 (a name); replies carry field 1 ("hello " + name) and field 2 (a counter).
/// Like generated code, the binding lives on a base class whose virtual methods the service overrides
/// (Grpc.AspNetCore finds the implementations that way).
/// </remarks>
internal sealed class GrpcTestService : GrpcTestServiceBase
{
    public const string ServiceName = "test.Greeter";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static readonly Method<byte[], byte[]> SayHelloMethod = new(MethodType.Unary, ServiceName, nameof(SayHello), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> SayHelloAgainMethod = new(MethodType.Unary, ServiceName, nameof(SayHelloAgain), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> FailMethod = new(MethodType.Unary, ServiceName, nameof(Fail), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> LotsMethod = new(MethodType.ServerStreaming, ServiceName, nameof(Lots), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> UploadMethod = new(MethodType.ClientStreaming, ServiceName, nameof(Upload), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> ChatMethod = new(MethodType.DuplexStreaming, ServiceName, nameof(Chat), Bytes, Bytes);

    /// <summary>{1: name}.</summary>
    public static byte[] Request(string name) => [0x0a, (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name)];

    /// <summary>{1: "hello " + name, 2: counter}.</summary>
    public static byte[] Reply(string name, int counter)
    {
        var text = System.Text.Encoding.ASCII.GetBytes("hello " + name);
        return [0x0a, (byte)text.Length, .. text, 0x10, (byte)counter];
    }

    public static string NameOf(byte[] request) => System.Text.Encoding.ASCII.GetString(request, 2, request[1]);

    public override Task<byte[]> SayHello(byte[] request, ServerCallContext context) => Task.FromResult(Reply(NameOf(request), 1));

    public override Task<byte[]> SayHelloAgain(byte[] request, ServerCallContext context) => Task.FromResult(Reply(NameOf(request), 2));

    public override Task<byte[]> Fail(byte[] request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, "no greeting for " + NameOf(request)));

    public override async Task Lots(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        for (int i = 1; i <= 3; i++)
        {
            await responses.WriteAsync(Reply(NameOf(request), i));
        }
    }

    public override async Task<byte[]> Upload(IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        int count = 0;
        while (await requests.MoveNext())
        {
            count++;
        }

        return Reply("uploads", count);
    }

    public override async Task Chat(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        int count = 0;
        while (await requests.MoveNext())
        {
            await responses.WriteAsync(Reply(NameOf(requests.Current), ++count));
        }
    }
}

/// <summary>The service's binding, as generated code would declare it.</summary>
[BindServiceMethod(typeof(GrpcTestServiceBase), nameof(BindService))]
internal abstract class GrpcTestServiceBase
{
    public static void BindService(ServiceBinderBase binder, GrpcTestServiceBase? service)
    {
        binder.AddMethod(GrpcTestService.SayHelloMethod, service is null ? null! : service.SayHello);
        binder.AddMethod(GrpcTestService.SayHelloAgainMethod, service is null ? null! : service.SayHelloAgain);
        binder.AddMethod(GrpcTestService.FailMethod, service is null ? null! : service.Fail);
        binder.AddMethod(GrpcTestService.LotsMethod, service is null ? null! : service.Lots);
        binder.AddMethod(GrpcTestService.UploadMethod, service is null ? null! : service.Upload);
        binder.AddMethod(GrpcTestService.ChatMethod, service is null ? null! : service.Chat);
    }

    public abstract Task<byte[]> SayHello(byte[] request, ServerCallContext context);

    public abstract Task<byte[]> SayHelloAgain(byte[] request, ServerCallContext context);

    public abstract Task<byte[]> Fail(byte[] request, ServerCallContext context);

    public abstract Task Lots(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context);

    public abstract Task<byte[]> Upload(IAsyncStreamReader<byte[]> requests, ServerCallContext context);

    public abstract Task Chat(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context);
}
