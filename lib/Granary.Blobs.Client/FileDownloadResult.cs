namespace Granary.Blobs.Client;

/// <summary>What a resumable file download did.</summary>
/// <param name="Size">Bytes in the blob (and now in the file).</param>
/// <param name="Resumed">Leading bytes kept from an earlier attempt's PATH.partial, re-verified against the blob's hash tree.</param>
/// <param name="Discarded">
/// Bytes the earlier attempt had recorded as verified that no longer verified (the partial file
/// was changed or truncated since) and were fetched again. Non-zero means something touched the
/// file: worth a warning.
/// </param>
/// <param name="Fetched">Bytes fetched from the silo this time.</param>
public sealed record FileDownloadResult(long Size, long Resumed, long Discarded, long Fetched)
{
    /// <summary>What the user should be told (an ignored record, bytes fetched again), one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
