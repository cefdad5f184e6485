using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Ebpf.ProtocolTracing.Kernel;
using Xunit.Abstractions;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>
/// writev and sendmsg with many iovecs (gRPC clients write a frame header and payload per iovec): every
/// iovec's bytes arrive, small ones share an event, and only what is beyond the events a syscall may use
/// becomes a gap of exact size.
/// </summary>
[Collection("Kernel")]
public sealed partial class KernelVectorIoTests(ITestOutputHelper output)
{
    private const int IovecCount = 64;

    private static KernelProbeSettings OwnProcessSettings(int chunkLimit, int maxChunks) =>
        OwnProcessProbeSettings.Default with { ChunkLimit = chunkLimit, MaxChunks = maxChunks };

    [KernelTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_request_in_64_iovecs_arrives_whole_in_one_event(bool useSendmsg)
    {
        var request = HttpRequestOf(bodyBytes: 600);
        var pieces = Split(request, IovecCount);
        // The request line and the headers straddle the 16th iovec, where capture used to stop.
        Assert.True(pieces.Take(16).Sum(p => p.Length) < request.Length / 2);

        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(KernelEventLayout.MaxChunk, maxChunks: 8), new TestOutputLogger(output));
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        var (port, written) = SendVectored(pieces, useSendmsg);
        Assert.Equal(request.Length, written);

        var events = await WaitForEgressAsync(sink, port, request.Length);
        var only = Assert.Single(events);
        Assert.Equal(0ul, only.Event.Position);
        Assert.Equal((uint)request.Length, only.Event.OriginalLength);
        Assert.Equal(request, only.Payload);
        Assert.Equal(useSendmsg ? KernelSource.Sendmsg : KernelSource.Writev, only.Event.Source);
    }

    [KernelFact]
    public async Task Iovecs_beyond_the_event_budget_become_one_exact_gap_after_full_events()
    {
        const int chunkLimit = 1024;
        const int maxChunks = 4;
        var request = HttpRequestOf(bodyBytes: 6000);
        var pieces = Split(request, IovecCount);

        var sink = new RecordingKernelEventSink();
        using var probes = KernelProbes.Load(OwnProcessSettings(chunkLimit, maxChunks), new TestOutputLogger(output));
        using var reader = probes.CreateReader(sink);
        using var polling = new PollingThread(reader);

        var (port, written) = SendVectored(pieces, useSendmsg: false);
        Assert.Equal(request.Length, written);

        var events = await WaitForEgressAsync(sink, port, request.Length);
        Assert.Equal(maxChunks, events.Count);
        ulong position = 0;
        for (int i = 0; i < events.Count; i++)
        {
            var (data, payload) = events[i];
            Assert.Equal(position, data.Position);
            Assert.Equal(chunkLimit, payload.Length);
            Assert.Equal(request.AsSpan((int)position, chunkLimit).ToArray(), payload);
            var expectedOriginal = i < events.Count - 1 ? chunkLimit : request.Length - (int)position;
            Assert.Equal((uint)expectedOriginal, data.OriginalLength);
            position += data.OriginalLength;
        }

        Assert.Equal((ulong)request.Length, position);
    }

    private static byte[] HttpRequestOf(int bodyBytes)
    {
        var body = new string('b', bodyBytes);
        return Encoding.ASCII.GetBytes(
            "POST /vectored/write HTTP/1.1\r\nHost: localhost\r\nUser-Agent: iovec-test/1.0\r\n" +
            "Content-Type: text/plain\r\nX-Trace-Check: headers-after-the-sixteenth-iovec\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n{body}");
    }

    /// <summary>Cuts the bytes into <paramref name="count"/> pieces of uneven sizes (each at least one byte).</summary>
    private static byte[][] Split(byte[] bytes, int count)
    {
        var pieces = new byte[count][];
        int start = 0;
        for (int i = 0; i < count; i++)
        {
            int left = bytes.Length - start;
            int size = i == count - 1 ? left : Math.Max(1, (left / (count - i)) + ((i % 3) - 1));
            pieces[i] = bytes[start..(start + size)];
            start += size;
        }

        return pieces;
    }

    /// <summary>Sends the pieces in one writev or sendmsg from a client to a loopback server that reads them all.</summary>
    private static unsafe (int Port, long Written) SendVectored(byte[][] pieces, bool useSendmsg)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        using var server = listener.Accept();

        var handles = new GCHandle[pieces.Length];
        var iovecs = new IoVec[pieces.Length];
        long written;
        try
        {
            for (int i = 0; i < pieces.Length; i++)
            {
                handles[i] = GCHandle.Alloc(pieces[i], GCHandleType.Pinned);
                iovecs[i] = new IoVec { Base = handles[i].AddrOfPinnedObject(), Length = (nuint)pieces[i].Length };
            }

            fixed (IoVec* iov = iovecs)
            {
                int fd = (int)client.Handle;
                if (useSendmsg)
                {
                    var message = new MessageHeader { Iov = iov, IovLength = (nuint)iovecs.Length };
                    written = SendMsg(fd, &message, 0);
                }
                else
                {
                    written = WriteV(fd, iov, iovecs.Length);
                }
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }

        Assert.True(written > 0, $"vectored write failed: errno {Marshal.GetLastPInvokeError()}");
        var buffer = new byte[written];
        int received = 0;
        while (received < written)
        {
            int n = server.Receive(buffer, received, (int)written - received, SocketFlags.None);
            Assert.True(n > 0, "server saw the connection close early");
            received += n;
        }

        return (port, written);
    }

    /// <summary>Waits until the client's egress events of the connection to <paramref name="port"/> cover <paramref name="length"/> bytes.</summary>
    private static async Task<List<(DataEvent Event, byte[] Payload)>> WaitForEgressAsync(RecordingKernelEventSink sink, int port, int length)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var client = sink.Opens.FirstOrDefault(o => o.Role == KernelRole.Client && o.RemotePort == port);
            if (client.Header.Kind == KernelEventKind.Open)
            {
                var id = client.Header.Conn.ToConnectionId();
                var events = sink.Data
                    .Where(d => d.Event.Header.Conn.ToConnectionId() == id && d.Event.Direction == StreamDirection.Egress)
                    .OrderBy(d => d.Event.Position)
                    .ToList();
                if (events.Sum(d => (long)d.Event.OriginalLength) >= length)
                {
                    return events;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the client's {length} bytes to port {port} did not arrive within 10 s: {sink.Opens.Count} opens, {sink.Data.Count} data events");
            }

            await Task.Delay(20);
        }
    }

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    private static unsafe partial nint WriteV(int fd, IoVec* iov, int iovcnt);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMsg(int fd, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public nint Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }
}
