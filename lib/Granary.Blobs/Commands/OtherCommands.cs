using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;

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

                if (PassThru)
                {
                    host.Output(BlobItem.From(blob, session.Silo));
                }
            }
        });
    }
}

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

/// <summary>Test-Blob: checks local files against hashes (no cluster needed).</summary>
public sealed class TestBlobCommand
{
    /// <summary>The files to check.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>The expected hash (or blob ticket) for every path.</summary>
    public required string Hash { get; init; }

    /// <summary>Output <see cref="BlobVerification"/> objects instead of booleans.</summary>
    public bool Detailed { get; init; }

    /// <summary>Runs.</summary>
    public async Task RunAsync(ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Blake3Hash expected;
        try
        {
            expected = GetBlobCommand.ParseBlob(Hash);
        }
        catch (FormatException error)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, error.Message, Hash, error));
        }

        foreach (string path in Paths)
        {
            try
            {
                Blake3Hash actual;
                var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (file.ConfigureAwait(false))
                {
                    actual = await Blake3.HashAsync(file, host.CancellationToken).ConfigureAwait(false);
                }

                var result = new BlobVerification { Path = path, ExpectedHash = expected.ToString(), ActualHash = actual.ToString() };
                host.Output(Detailed ? result : result.IsValid);
            }
            catch (Exception error) when (CommandErrors.From(error, path) is { Kind: not CommandErrorKind.Cancelled } problem)
            {
                host.Report(problem);
            }
        }
    }
}

/// <summary>Get-GranarySilo and Get-GranaryClusterStatus: the membership view and counts.</summary>
public sealed class GetClusterStatusCommand
{
    /// <summary>Output one object per silo (Get-GranarySilo) instead of the whole status.</summary>
    public bool SilosOnly { get; init; }

    /// <summary>Include dead incarnations (Get-GranarySilo -IncludeDead).</summary>
    public bool IncludeDead { get; init; }

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public async Task RunAsync(GranarySession session, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        ClusterStatus status = await session.Client.ClusterStatusAsync(host.CancellationToken).ConfigureAwait(false);
        if (!SilosOnly)
        {
            host.Output(status);
            return;
        }

        foreach (SiloStatusInfo silo in status.Silos.Where(s => IncludeDead || s.Status != "Dead"))
        {
            host.Output(silo);
        }
    }
}

/// <summary>Runs an action per blob argument, turning each failure into a non-terminating error.</summary>
internal static class EachBlob
{
    public static async Task RunAsync(IReadOnlyList<string> blobs, ICommandHost host, Func<Blake3Hash, Task> action)
    {
        ArgumentNullException.ThrowIfNull(host);
        foreach (string blob in blobs)
        {
            host.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                await action(GetBlobCommand.ParseBlob(blob)).ConfigureAwait(false);
            }
            catch (Exception error) when (CommandErrors.From(error, blob) is { Kind: not CommandErrorKind.Cancelled and not CommandErrorKind.Unauthorized and not CommandErrorKind.Unreachable } problem)
            {
                host.Report(problem);
            }
        }
    }
}
