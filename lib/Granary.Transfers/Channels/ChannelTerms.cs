using Granary.Blobs.Protocol;

namespace Granary.Transfers.Channels;

/// <summary>
/// What one side keeps about a channel beside its <see cref="ChannelState"/>: how many bytes it
/// moves, where the other side's silos answer, and what a cancel leaves behind.
/// </summary>
public sealed record ChannelTerms
{
    /// <summary>Bytes the channel moves in all (a collection: the collection blob and every member); 0 until known.</summary>
    public long Size { get; init; }

    /// <summary>The other side's silos, tried in order when a message or a piece must reach it (at least one).</summary>
    public IReadOnlyList<SiloTicket> Peers { get; init; } = [];

    /// <summary>True if a cancelled or failed receive keeps its verified blocks as a partial blob (default: dropped).</summary>
    public bool KeepPartial { get; init; }
}
