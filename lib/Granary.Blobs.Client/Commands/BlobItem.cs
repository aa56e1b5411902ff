using Granary.Blobs.Protocol;

namespace Granary.Blobs.Commands;

/// <summary>A blob as the cmdlets show it (Send-Blob, Get-BlobInfo, Update-BlobExpiry).</summary>
public sealed class BlobItem
{
    /// <summary>The BLAKE3 hash, 64 hex digits: what Get-Blob takes.</summary>
    public required string Hash { get; init; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>When the cluster first stored it.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When it expires unless extended.</summary>
    public DateTimeOffset Expires { get; init; }

    /// <summary>A ticket anyone with the token can fetch it with.</summary>
    public required string Ticket { get; init; }

    /// <summary>True for a directory uploaded as a collection.</summary>
    public bool IsCollection { get; init; }

    /// <summary>The uploader's node id, if known.</summary>
    public string? Uploader { get; init; }

    /// <summary>Tags (KEY=VALUE labels).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Get-BlobInfo: the silos holding a copy (tickets); empty from the other cmdlets.</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];

    /// <summary>The local file or directory it came from (Send-Blob), if any.</summary>
    public string? Path { get; init; }

    internal static BlobItem From(BlobInfo blob, SiloTicket silo, string? path = null, bool isCollection = false, IEnumerable<SiloTicket>? providers = null) => new()
    {
        Hash = blob.Hash.ToString(),
        Size = blob.Size,
        Created = blob.Created,
        Expires = blob.Expires,
        Ticket = new BlobTicket(silo, blob.Hash).ToString(),
        IsCollection = isCollection,
        Uploader = blob.Uploader,
        Tags = BlobTags.Parse(blob.Tags).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        Path = path,
        Providers = [.. (providers ?? []).Select(p => p.ToString())],
    };
}
