using Granary.Blobs.Protocol;

namespace Granary.Blobs.Client;

/// <summary>How a multi-provider download went.</summary>
/// <param name="Size">Bytes in the blob.</param>
/// <param name="BytesByProvider">Verified bytes each provider delivered.</param>
/// <param name="Failures">Providers that were dropped, and why.</param>
public sealed record DownloadReport(long Size, IReadOnlyDictionary<SiloTicket, long> BytesByProvider, IReadOnlyDictionary<SiloTicket, string> Failures)
{
    /// <summary>Leading bytes kept from an earlier attempt, re-verified (see <see cref="FileDownloadResult.Resumed"/>).</summary>
    public long Resumed { get; init; }

    /// <summary>Recorded bytes of an earlier attempt that no longer verified and were fetched again.</summary>
    public long Discarded { get; init; }

    /// <summary>True if a <see cref="IFetchPacer"/> stopped a <see cref="Downloader.FillAsync"/> before the blob was whole (default false).</summary>
    public bool Stopped { get; init; }

    /// <summary>What the user should be told (an ignored record, bytes fetched again), one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
