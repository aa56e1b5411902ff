namespace Granary.Hashing.Verified;

/// <summary>
/// An <see cref="IBaoSink"/> that keeps what it verified across attempts, as a silo's partial blob
/// does: a fetch that fills it asks only for what is not <see cref="Present"/> yet, and
/// <see cref="CommitAsync"/> makes what arrived durable before it counts as present. Writers may
/// be concurrent (several providers filling different pieces).
/// </summary>
public interface IResumableBaoSink : IBaoSink
{
    /// <summary>The blob's size in bytes.</summary>
    long Size { get; }

    /// <summary>True when every block is present (committed).</summary>
    bool IsComplete { get; }

    /// <summary>The committed blocks, as chunk ranges.</summary>
    ChunkRanges Present();

    /// <summary>Makes every block written so far durable and present; commits run one at a time.</summary>
    /// <exception cref="IOException">The data could not be made durable; the blocks stay pending for the next commit.</exception>
    Task CommitAsync(CancellationToken cancellationToken = default);
}
