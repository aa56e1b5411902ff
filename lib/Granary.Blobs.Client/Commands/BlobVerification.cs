namespace Granary.Blobs.Commands;

/// <summary>The result of checking a local file against a hash (Test-Blob -Detailed).</summary>
public sealed class BlobVerification
{
    /// <summary>The file checked.</summary>
    public required string Path { get; init; }

    /// <summary>The hash it should have.</summary>
    public required string ExpectedHash { get; init; }

    /// <summary>The hash it has.</summary>
    public required string ActualHash { get; init; }

    /// <summary>True when they match.</summary>
    public bool IsValid => string.Equals(ExpectedHash, ActualHash, StringComparison.OrdinalIgnoreCase);
}
