using CsCheck;
using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>CsCheck generators of every valid request and reply of <c>granary/blobs/1</c>, built by the records themselves.</summary>
internal static class BlobMessages
{
    /// <summary>Every request kind, with every optional field present or absent.</summary>
    public static readonly Gen<BlobRequest> Request = Gen.OneOf<BlobRequest>(
        Values.Opaque.Select(token => (BlobRequest)new AuthRequest(token)),
        Gen.Select(Values.Size, Values.Ttl.Nullable(), Values.Hash.Nullable(), Values.Tags, (size, ttl, hash, tags) => (BlobRequest)new PutRequest(size, ttl, hash, tags)),
        Gen.Select(Values.Hash, Values.Ranges, Gen.Long[0, long.MaxValue].Nullable(0.7), (hash, ranges, channel) => (BlobRequest)new GetRequest(hash, ranges) { Channel = (ulong?)channel }),
        Values.Hash.Select(hash => (BlobRequest)new GetCollectionRequest(hash)),
        Gen.Select(Values.Hash, Values.Size, Values.Ranges, Values.Ttl.Nullable(), (hash, size, ranges, ttl) => (BlobRequest)new PushRequest(hash, size, ranges, ttl)),
        Values.Hash.Select(hash => (BlobRequest)new ObserveRequest(hash)),
        Values.Hash.Select(hash => (BlobRequest)new InfoRequest(hash)),
        Gen.Select(Values.Hash, Values.Ttl, (hash, ttl) => (BlobRequest)new ExtendRequest(hash, ttl)),
        Values.Hash.Select(hash => (BlobRequest)new DeleteRequest(hash)),
        Values.Hash.Select(hash => (BlobRequest)new LocateRequest(hash)),
        Gen.Const<BlobRequest>(new ClusterStatusRequest()),
        Values.Node.Select(node => (BlobRequest)new ClusterDrainRequest(node.ToString())),
        Gen.Const<BlobRequest>(new ScrubRequest()));

    /// <summary>A blob's description as silos send it.</summary>
    public static readonly Gen<BlobDescription> Description = Gen.Select(
        Values.Hash, Values.Size, Values.Time, Values.Time, Values.Node.Nullable(), Values.Tags, Values.Tickets, Values.Tickets,
        (hash, size, created, expires, uploader, tags, providers, replicas) => new BlobDescription(
            new BlobInfo(hash, size, created, expires) { Uploader = uploader?.ToString(), Tags = BlobTags.Format(tags) })
        {
            Providers = providers,
            Replicas = replicas,
        });

    /// <summary>What a silo has of a blob.</summary>
    public static readonly Gen<BlobAvailability> Availability = Gen.Select(
        Values.Hash, Values.Size, Values.Ranges, Gen.Bool, (hash, size, present, complete) => new BlobAvailability(hash, size, present, complete));

    /// <summary>One silo of a cluster status: counted (blobs, bytes and backlog present) or not (-1, with a problem).</summary>
    public static readonly Gen<SiloStatusInfo> Silo = Gen.Select(
        Values.Node, Values.Address, Gen.OneOf("Active", "Draining", "ShuttingDown", "Joining", "Dead"), Values.Time, Gen.Long[-1, 1L << 40], Values.Size, Gen.Long[-1, 1 << 20], Values.Text(1, 40).Null(0.7),
        (node, address, status, generation, blobs, bytes, backlog, problem) => blobs >= 0
            ? new SiloStatusInfo(node.ToString(), address.ToString(), status, generation.ToUnixTimeMilliseconds(), blobs, bytes, backlog, problem)
            : new SiloStatusInfo(node.ToString(), address.ToString(), status, generation.ToUnixTimeMilliseconds(), -1, -1, -1, problem));

    /// <summary>A cluster status.</summary>
    public static readonly Gen<ClusterStatus> Status = Gen.Select(Gen.Long[1, 7], Gen.Long[0, 1L << 40], Silo.Array[0, 5], (replicas, view, silos) => new ClusterStatus(replicas, view, silos));

    /// <summary>What one silo's scrub found.</summary>
    public static readonly Gen<ScrubSummary> Scrub = Gen.Select(
        Values.Size, Values.Size, Values.Size, Values.Size, Gen.Select(Values.Hash, Values.Text(0, 60)).Array[0, 6],
        (checkedBlobs, bytes, damagedCount, restored, damaged) => new ScrubSummary(checkedBlobs, bytes, damagedCount, restored, damaged));

    /// <summary>A refusal with any status but 200.</summary>
    public static readonly Gen<ErrorReply> Error = Gen.Select(
        Gen.Enum<BlobStatus>().Where(s => s != BlobStatus.Ok), Values.Text(0, 80), Values.Tickets, Values.Hash.Nullable(),
        (status, message, providers, hash) => new ErrorReply(status, message) { Providers = status == BlobStatus.Redirect ? providers : [], Hash = hash });

    /// <summary>Every reply kind (any of them may come where another is expected).</summary>
    public static readonly Gen<BlobReply> Reply = Gen.OneOf<BlobReply>(
        Gen.Const<BlobReply>(OkReply.Instance),
        Gen.Const<BlobReply>(SeriesEnd.Instance),
        Description.Select(r => (BlobReply)r),
        Availability.Select(r => (BlobReply)r),
        Status.Select(r => (BlobReply)r),
        Scrub.Select(r => (BlobReply)r),
        Error.Select(r => (BlobReply)r));
}
