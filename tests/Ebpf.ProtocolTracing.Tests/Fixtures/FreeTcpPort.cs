using System.Net;
using System.Net.Sockets;

namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>Finds a loopback TCP port nobody listens on.</summary>
internal static class FreeTcpPort
{
    public static int Find(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether this machine has the IPv6 loopback address (containers may not).</summary>
    public static bool HasIpv6Loopback { get; } = CanBind(IPAddress.IPv6Loopback);

    /// <summary>Waits until something accepts connections on <paramref name="endPoint"/>.</summary>
    /// <returns><see langword="false"/> when <paramref name="stillRunning"/> says the server died, or the time is up.</returns>
    public static async Task<bool> WaitUntilListeningAsync(IPEndPoint endPoint, Func<bool> stillRunning, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && stillRunning())
        {
            using var probe = new TcpClient(endPoint.AddressFamily);
            try
            {
                await probe.ConnectAsync(endPoint);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var listener = new TcpListener(address, 0);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
