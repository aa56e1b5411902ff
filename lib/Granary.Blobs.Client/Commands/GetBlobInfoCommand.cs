using Granary.Blobs.Protocol;

namespace Granary.Blobs.Commands;

/// <summary>Get-BlobInfo: size, lifetime, uploader and tags of blobs, by hash or ticket.</summary>
public sealed class GetBlobInfoCommand
{
    /// <summary>Hashes or blob tickets.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public Task RunAsync(GranarySession session, ICommandHost host) =>
        EachBlob.RunAsync(Blobs, host, async hash =>
        {
            BlobDescription description = await session.Client.DescribeAsync(hash, host.CancellationToken).ConfigureAwait(false);
            // A silo alone names no providers: the blob is there.
            IReadOnlyList<SiloTicket> providers = description.Providers.Count > 0 ? description.Providers : [session.Silo];
            host.Output(BlobItem.From(description.Blob, session.Silo, providers: providers));
        });
}
