using System.Collections.Concurrent;
using Granary.Blobs.Commands;

namespace Granary.Blobs.Tests;

/// <summary>Collects what a command reports; answers ShouldProcess with <see cref="Answer"/>.</summary>
internal sealed class RecordingHost(CancellationToken cancellationToken = default) : ICommandHost
{
    public CancellationToken CancellationToken => cancellationToken;

    public ConcurrentQueue<object> OutputQueue { get; } = new();

    public List<object> Outputs => [.. OutputQueue];

    public ConcurrentQueue<TransferProgress> Progress { get; } = new();

    public List<CommandError> Errors { get; } = [];

    public ConcurrentQueue<string> VerboseMessages { get; } = new();

    public List<string> Questions { get; } = [];

    public bool Answer { get; init; } = true;

    public Action<TransferProgress>? OnProgress { get; set; }

    public bool Stopped { get; set; }

    public void Output(object item) => OutputQueue.Enqueue(item);

    void ICommandHost.Progress(TransferProgress progress)
    {
        Progress.Enqueue(progress);
        OnProgress?.Invoke(progress);
    }

    public void Verbose(string message) => VerboseMessages.Enqueue(message);

    public ConcurrentQueue<string> Warnings { get; } = new();

    public void Warning(string message) => Warnings.Enqueue(message);

    public void Report(CommandError problem)
    {
        lock (Errors)
        {
            Errors.Add(problem);
        }
    }

    public Task<bool> ShouldProcessAsync(string target, string action)
    {
        lock (Questions)
        {
            Questions.Add($"{action}: {target}");
        }

        return Task.FromResult(Answer);
    }
}
