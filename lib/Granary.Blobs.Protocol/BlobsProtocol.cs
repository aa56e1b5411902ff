namespace Granary.Blobs.Protocol;

/// <summary>Constants of <c>granary/blobs/1</c> that both sides need (docs/protocol.md).</summary>
public static class BlobsProtocol
{
    /// <summary>The protocol's ALPN: what a client asks for in the QUIC handshake.</summary>
    public const string Alpn = "granary/blobs/1";
}
