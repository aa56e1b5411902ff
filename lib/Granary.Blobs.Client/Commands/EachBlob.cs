using Granary.Hashing;

namespace Granary.Blobs.Commands;

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
