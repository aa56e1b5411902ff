using Granary.Transport;

namespace Granary.Blobs.Server;

/// <summary>One client connection's state: who it is and whether it has authenticated.</summary>
/// <param name="peer">The node id the connection proved in its handshake.</param>
/// <param name="authenticated">True from the start for trusted nodes and cluster members.</param>
public sealed class BlobSession(NodeId peer, bool authenticated)
{
    private volatile bool _authenticated = authenticated;
    private int _abandoned;

    /// <summary>The node id the connection proved in its handshake (recorded as a PUT's uploader).</summary>
    public NodeId Peer { get; } = peer;

    /// <summary>True once the connection presented the right token (or needs none).</summary>
    public bool Authenticated => _authenticated;

    /// <summary>Requests reset with 503 because the silo is stopping.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    internal void Authenticate() => _authenticated = true;

    internal void Abandon() => Interlocked.Increment(ref _abandoned);
}
