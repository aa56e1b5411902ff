namespace Granary.Blobs.Commands;

/// <summary>Remove-Blob: deletes blobs from every replica.</summary>
public sealed class RemoveBlobCommand
{
    /// <summary>Hashes or blob tickets.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public Task RunAsync(GranarySession session, ICommandHost host) =>
        EachBlob.RunAsync(Blobs, host, async hash =>
        {
            if (await host.ShouldProcessAsync(hash.ToString(), "Delete from every silo of the cluster").ConfigureAwait(false))
            {
                await session.Client.DeleteAsync(hash, host.CancellationToken).ConfigureAwait(false);
                host.Verbose($"Deleted {hash}.");
            }
        });
}
