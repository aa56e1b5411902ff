using System.Net;
using System.Net.Sockets;

namespace Granary.Testing;

/// <summary>Ports for servers a test starts (an HTTP listener, a silo's --metrics): free when asked, on 127.0.0.1.</summary>
public static class FreePorts
{
    /// <summary>A TCP port nothing listens on right now (the OS's choice; a race with other processes is possible but rare).</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
