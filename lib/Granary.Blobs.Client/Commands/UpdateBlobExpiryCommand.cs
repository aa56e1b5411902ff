using Granary.Blobs.Client;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Commands;

/// <summary>Update-BlobExpiry: keeps blobs at least <see cref="Ttl"/> from now, on every replica (never earlier).</summary>
public sealed class UpdateBlobExpiryCommand
{
    /// <summary>Hashes or blob tickets.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>How long from now.</summary>
    public TimeSpan Ttl { get; init; }

    /// <summary>Output the updated blob.</summary>
    public bool PassThru { get; init; }

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public Task RunAsync(GranarySession session, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        if (Ttl <= TimeSpan.Zero)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, $"-Ttl {Ttl} must be positive.", Ttl));
        }

        return EachBlob.RunAsync(Blobs, host, async hash =>
        {
            if (await host.ShouldProcessAsync(hash.ToString(), $"Keep until at least {DateTimeOffset.UtcNow + Ttl:u}").ConfigureAwait(false))
            {
                DateTimeOffset askedAt = DateTimeOffset.UtcNow;
                BlobInfo blob = await session.Client.ExtendAsync(hash, Ttl, host.CancellationToken).ConfigureAwait(false);
                if (GrantedLifetime.Shortened(Ttl, askedAt, blob) is { } shortened)
                {
                    host.Warning(shortened);
                }
                else if (GrantedLifetime.AlreadyLater(Ttl, askedAt, blob) is { } unchanged)
                {
                    host.Verbose(unchanged);
                }

                if (PassThru)
                {
                    host.Output(BlobItem.From(blob, session.Silo));
                }
            }
        });
    }
}
