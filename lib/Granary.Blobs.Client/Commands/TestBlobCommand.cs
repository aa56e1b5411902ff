using Granary.Hashing;

namespace Granary.Blobs.Commands;

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
