using System.Net;
using System.Net.Sockets;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>One request/response over a fresh loopback TCP connection, with blocking sockets (plain send/recv syscalls).</summary>
internal static class LoopbackExchange
{
    /// <returns>The listener's port.</returns>
    public static int Run(byte[] request, byte[] response)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            using var server = listener.Accept();

            client.Send(request);
            ReceiveExactly(server, request.Length);
            server.Send(response);
            ReceiveExactly(client, response.Length);
            client.Shutdown(SocketShutdown.Both);
            server.Shutdown(SocketShutdown.Both);
        }

        return port;
    }

    private static void ReceiveExactly(Socket socket, int length)
    {
        var buffer = new byte[length];
        var received = 0;
        while (received < length)
        {
            var n = socket.Receive(buffer, received, length - received, SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidOperationException("peer closed early");
            }

            received += n;
        }
    }
}
