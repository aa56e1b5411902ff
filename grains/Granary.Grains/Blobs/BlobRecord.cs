namespace Granary.Grains.Blobs;

/// <summary>
/// What the cluster knows about one blob, the <see cref="BlobGrain"/>'s persisted state: size,
/// expiry, upload info and the node ids of the silos holding a verified, durable copy.
/// </summary>
/// <remarks>
/// Plain properties (node ids as text) so the record reads the same under any grain-storage
/// serializer. A deleted blob keeps its record as a tombstone (<see cref="Deleted"/>) until it
/// would have expired, so a silo that was down during the delete and reports a copy is told to drop it.
/// </remarks>
[GenerateSerializer]
public sealed class BlobRecord
{
    /// <summary>Bytes.</summary>
    [Id(0)]
    public long Size { get; set; }

    /// <summary>When it was first uploaded.</summary>
    [Id(1)]
    public DateTimeOffset Created { get; set; }

    /// <summary>When every copy may go.</summary>
    [Id(2)]
    public DateTimeOffset Expires { get; set; }

    /// <summary>The uploader, empty if unknown.</summary>
    [Id(3)]
    public string Uploader { get; set; } = string.Empty;

    /// <summary>The uploader's tags.</summary>
    [Id(4)]
    public string Tags { get; set; } = string.Empty;

    /// <summary>Node ids (text) of the silos holding a verified durable copy.</summary>
    [Id(5)]
    public List<string> Replicas { get; set; } = [];

    /// <summary>True once deleted: a tombstone until <see cref="Expires"/>.</summary>
    [Id(6)]
    public bool Deleted { get; set; }

    /// <summary>The record as the grain contracts carry it.</summary>
    public BlobFacts Facts => new(Size, Created, Expires, Uploader, Tags);
}
