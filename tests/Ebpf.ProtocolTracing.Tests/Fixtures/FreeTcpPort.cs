using System.Net;
using System.Net.Sockets;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>Finds a loopback TCP port nobody listens on.</summary>
internal static class FreeTcpPort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    /// <returns><see langword="false"/> when <paramref name="stillRunning"/> says the server died, or the time is up.</returns>
    public static async Task<bool> WaitUntilListeningAsync(int port, Func<bool> stillRunning, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && stillRunning())
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }
}
