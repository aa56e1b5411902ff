namespace Granary.Blobs.Client;

/// <summary>How a download uses several providers (iroh-blobs' SplitStrategy, seed 000).</summary>
public enum SplitStrategy
{
    /// <summary>One provider at a time; the next takes over when one fails.</summary>
    None,

    /// <summary>All providers at once, each fetching different block ranges of the blob.</summary>
    Split,
}
