using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Transport;

namespace Granary.Blobs.Server;

/// <summary>
/// What the blobs protocol asks of the cluster a silo belongs to: replicate a stored blob before
/// the PUT is acknowledged, find the silos holding a blob, apply extend/delete everywhere, and
/// the operator's cluster view. Implemented by the grain layer (grains/); a silo without it
/// behaves as in the single-silo protocol.
/// </summary>
public interface IBlobCluster
{
    /// <summary>
    /// True if the cluster keeps a record of every blob, which then outranks this silo's own
    /// (a silo alone keeps none: its store is the record).
    /// </summary>
    bool KeepsRecords { get; }

    /// <summary>True if <paramref name="node"/> is a member silo (trusted without a token).</summary>
    bool IsMember(NodeId node);

    /// <summary>Makes <paramref name="stored"/>, now durable on this silo, durable on R silos; returns the silos holding it.</summary>
    /// <exception cref="BlobProtocolException">Fewer than R copies could be made (status 503): the PUT must not be acknowledged.</exception>
    Task<IReadOnlyList<SiloTicket>> ReplicateAsync(BlobInfo stored, CancellationToken cancellationToken);

    /// <summary>
    /// True when an upload sent to this silo may belong elsewhere: the cluster has more placement
    /// targets than copies per blob. Told to clients in the reply to <c>auth</c> (<see cref="OkReply.PlacesUploads"/>).
    /// </summary>
    bool PlacesUploads { get; }

    /// <summary>
    /// Where an upload of <paramref name="hash"/> that asked to be placed (<see cref="PutRequest.Place"/>)
    /// should go instead: the blob's R placement targets, best first, when this silo is not one of
    /// them; empty when it is (or when the cluster does not place blobs: a standalone silo).
    /// </summary>
    IReadOnlyList<SiloTicket> UploadRedirect(Blake3Hash hash);

    /// <summary>The silos that hold <paramref name="hash"/> and its recorded size/expiry; null if the cluster does not know it.</summary>
    Task<(BlobInfo Blob, IReadOnlyList<SiloTicket> Providers)?> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken);

    /// <summary>Extends the expiry on every replica; null if the cluster does not know the blob.</summary>
    Task<BlobInfo?> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Deletes the blob from every replica; false if the cluster did not know it.</summary>
    Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken);

    /// <summary>The cluster's silos as this silo sees them, with each one's blob counts (<c>cluster-status</c>).</summary>
    Task<ClusterStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>Marks the silo <paramref name="node"/> (a node id as text) as draining (<c>cluster-drain</c>).</summary>
    /// <exception cref="BlobProtocolException">No serving silo has that node id (404); draining it would leave fewer silos than copies (400); the mark could not be stored (503).</exception>
    Task DrainAsync(string node, CancellationToken cancellationToken);
}
