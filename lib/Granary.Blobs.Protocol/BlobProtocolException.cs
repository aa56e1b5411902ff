namespace Granary.Blobs.Protocol;

/// <summary>
/// A request the peer refused, or a request or reply that breaks the protocol: the
/// <see cref="BlobStatus"/> says which kind (each kind has its own code, docs/protocol.md), the
/// message says what was wrong for a person. Thrown by message parsing on either side and by the
/// client for every non-200 reply; the silo turns it back into the reply it came from.
/// </summary>
public sealed class BlobProtocolException : IOException
{
    /// <summary>A refusal with <paramref name="status"/> and an explanation.</summary>
    public BlobProtocolException(BlobStatus status, string message)
        : base(message) => Status = status;

    /// <summary>A 307: the blob is on <paramref name="providers"/>, not on the silo asked.</summary>
    public BlobProtocolException(string message, IReadOnlyList<SiloTicket> providers)
        : base(message) => (Status, Providers) = (BlobStatus.Redirect, providers);

    /// <summary>The kind of failure.</summary>
    public BlobStatus Status { get; }

    /// <summary>For <see cref="BlobStatus.Redirect"/>: the silos that hold the blob; otherwise empty.</summary>
    public IReadOnlyList<SiloTicket> Providers { get; } = [];
}
