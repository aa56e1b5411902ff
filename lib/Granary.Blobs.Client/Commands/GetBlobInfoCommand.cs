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
            host.Output(BlobItem.From(await session.Client.InfoAsync(hash, host.CancellationToken).ConfigureAwait(false), session.Silo)));
}
