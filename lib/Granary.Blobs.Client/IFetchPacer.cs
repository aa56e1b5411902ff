namespace Granary.Blobs.Client;

/// <summary>
/// Paces <see cref="Downloader.FillAsync"/> for a caller with terms of its own — a transfer
/// channel's data limit and pause (go-data-transfer's), its count of verified bytes received:
/// it is asked before every piece how much the piece may carry, and told what became durable.
/// </summary>
public interface IFetchPacer
{
    /// <summary>
    /// The most bytes the next piece may carry (rounded down to whole 16 KiB blocks, at least one
    /// block), or 0 or less to stop: the fill then commits what arrived and reports itself stopped.
    /// </summary>
    /// <param name="settle">Commits what arrived and waits until every commit (and its <see cref="CommittedAsync"/>) is done: for an answer that depends on the count, as a data limit does.</param>
    /// <param name="cancellationToken">The fill's token.</param>
    ValueTask<long> NextPieceAsync(Func<Task> settle, CancellationToken cancellationToken);

    /// <summary>
    /// <paramref name="bytes"/> more of the blob are verified and durable in the target — after a
    /// fault too, for the blocks that verified before it (a resume will not ask for them again).
    /// Called one at a time, in commit order.
    /// </summary>
    ValueTask CommittedAsync(long bytes, CancellationToken cancellationToken);
}
