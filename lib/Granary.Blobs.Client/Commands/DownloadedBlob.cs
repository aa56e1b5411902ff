namespace Granary.Blobs.Commands;

/// <summary>A downloaded blob or collection (Get-Blob).</summary>
public sealed class DownloadedBlob
{
    /// <summary>The hash.</summary>
    public required string Hash { get; init; }

    /// <summary>The file or directory written.</summary>
    public required string Path { get; init; }

    /// <summary>Bytes of the blob (or the requested range).</summary>
    public long Size { get; init; }

    /// <summary>True for a collection written as a directory.</summary>
    public bool IsCollection { get; init; }

    /// <summary>The silos it came from.</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];
}
