using Granary.Blobs.Protocol;

namespace Granary.Grains.Blobs;

/// <summary>
/// What the cluster knows about one blob, kept as the <see cref="BlobGrain"/>'s state: size,
/// expiry, upload info and the node ids of the silos holding a verified, durable copy.
/// Stored as one bencoded dictionary.
/// </summary>
/// <remarks>A deleted blob keeps its record as a tombstone (<see cref="Deleted"/>) until it would have
/// expired, so a silo that was down during the delete and comes back with a copy is told to drop it.</remarks>
public sealed record BlobRecord(long Size, long CreatedMs, long ExpiresMs, string Uploader, string Tags, IReadOnlyList<string> Replicas, bool Deleted = false)
{
    /// <summary>The state of a blob nobody uploaded.</summary>
    public static BlobRecord Empty { get; } = new(0, 0, 0, string.Empty, string.Empty, []);

    /// <summary>Encodes for storage.</summary>
    public byte[] Encode() => Bencode.Encode(new SortedDictionary<string, object>(StringComparer.Ordinal)
    {
        ["size"] = Size,
        ["created"] = CreatedMs,
        ["expires"] = ExpiresMs,
        ["uploader"] = Uploader,
        ["tags"] = Tags,
        ["replicas"] = Replicas.Select(r => (object)r).ToList(),
        ["deleted"] = Deleted ? 1L : 0L,
    });

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    public static BlobRecord Decode(byte[] bytes)
    {
        var fields = new BlobMessage((SortedDictionary<string, object>)Bencode.Decode(bytes));
        return new BlobRecord(
            fields.Number("size") ?? 0,
            fields.Number("created") ?? 0,
            fields.Number("expires") ?? 0,
            fields.Text("uploader") ?? string.Empty,
            fields.Text("tags") ?? string.Empty,
            fields.TextList("replicas") ?? [],
            fields.Number("deleted") == 1);
    }
}
