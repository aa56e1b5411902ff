using System.Collections.Concurrent;
using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// Base of every Granary cmdlet. Commands run asynchronously on the thread pool, but PowerShell
/// lets only the pipeline thread write to its streams; so the command's host posts each output,
/// progress record, error and ShouldProcess question to a queue that this thread drains until the
/// command ends. StopProcessing (Ctrl-C) cancels the command's token.
/// </summary>
public abstract class GranaryCmdlet : PSCmdlet, IDisposable
{
    /// <summary>The variable Connect-GranaryCluster stores the default session in.</summary>
    public const string SessionVariable = "GranaryDefaultSession";

    /// <summary>
    /// <see cref="SessionVariable"/> in the global scope: a connection made inside a function or
    /// script outlives it, as PowerCLI's <c>$global:DefaultVIServer</c> and the Az context do.
    /// </summary>
    internal const string GlobalSessionVariable = "global:" + SessionVariable;

    private readonly CancellationTokenSource _stop = new();

    /// <summary>The session this invocation uses, once resolved (its blobs are remembered for completion).</summary>
    private GranarySession? _session;

    /// <summary>Stops the running command.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the command held; PowerShell disposes a cmdlet once its pipeline ends.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }
    }

    /// <summary>The session from -Session, else the default one; a terminating error if there is none.</summary>
    protected GranarySession ResolveSession(GranarySession? explicitSession)
    {
        if (explicitSession is { IsOpen: false })
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"The session passed with -Session ({explicitSession}) is closed: Disconnect-GranaryCluster closed it. Connect again with Connect-GranaryCluster -PassThru."),
                "Granary.SessionClosed", ErrorCategory.ConnectionError, explicitSession));
        }

        GranarySession? session = explicitSession ?? SessionState.PSVariable.GetValue(GlobalSessionVariable) as GranarySession;
        if (session is not { IsOpen: true })
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException("Not connected to a Granary cluster: run Connect-GranaryCluster first, or pass -Session."),
                "Granary.NotConnected", ErrorCategory.ConnectionError, null));
        }

        _session = session;
        return session!;
    }

    /// <summary>Runs <paramref name="command"/> to completion, serving its host calls on this thread.</summary>
    protected void Run(Func<ICommandHost, Task> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var queue = new BlockingCollection<Action>();
        var host = new PipelineHost(this, queue, _stop.Token);
        Task running = Task.Run(async () =>
        {
            try
            {
                await command(host).ConfigureAwait(false);
            }
            finally
            {
                queue.CompleteAdding();
            }
        });

        try
        {
            foreach (Action action in queue.GetConsumingEnumerable())
            {
                action();
            }
        }
        catch
        {
            // PowerShell threw on this thread (a -Confirm prompt under -NonInteractive, a
            // terminating error from -ErrorAction Stop, a pipeline stop): stop the command and
            // let it finish before the error goes up, so no transfer runs on unobserved.
            // WhenAny never throws: the first error is the one to report, not the cancellation's.
            _stop.Cancel();
            Task.WhenAny(running).GetAwaiter().GetResult();
            throw;
        }

        try
        {
            running.GetAwaiter().GetResult();
        }
        catch (GranaryCommandException error)
        {
            ThrowTerminatingError(ToRecord(error.Error));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Ctrl-C: PowerShell reports the stop itself.
        }
        catch (Exception error) when (CommandErrors.From(error, null) is { } problem)
        {
            ThrowTerminatingError(ToRecord(problem));
        }
    }

    /// <summary>Writes one of the command's results to the pipeline (on the pipeline thread).</summary>
    protected virtual void WriteOutput(object item) => WriteObject(item);

    /// <summary>An ErrorRecord with the category, target and message the error carries.</summary>
    internal static ErrorRecord ToRecord(CommandError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        ErrorCategory category = ErrorCategories.For(error.Kind);
        Exception exception = error.Exception ?? new InvalidOperationException(error.Message);
        var record = new ErrorRecord(exception, error.ErrorId, category, error.Target);
        if (error.Exception is not null && error.Exception.Message != error.Message)
        {
            record.ErrorDetails = new ErrorDetails(error.Message);
        }

        return record;
    }

    /// <summary>The command's view of this cmdlet: every call becomes work for the pipeline thread.</summary>
    private sealed class PipelineHost(GranaryCmdlet cmdlet, BlockingCollection<Action> queue, CancellationToken cancellationToken) : ICommandHost
    {
        public CancellationToken CancellationToken => cancellationToken;

        public void Output(object item)
        {
            if (cmdlet._session is { } session)
            {
                RecentBlobs.Remember(session, item);
            }

            Post(() => cmdlet.WriteOutput(item));
        }

        public void Progress(TransferProgress progress) => Post(() =>
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, $"{progress.Target}: {progress.Done:N0} of {progress.Total:N0} bytes")
            {
                PercentComplete = progress.Percent,
                RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            cmdlet.WriteProgress(record);
        });

        public void Verbose(string message) => Post(() => cmdlet.WriteVerbose(message));

        public void Warning(string message) => Post(() => cmdlet.WriteWarning(message));

        public void Report(CommandError problem) => Post(() => cmdlet.WriteError(ToRecord(problem)));

        public Task<bool> ShouldProcessAsync(string target, string action)
        {
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() => answer.SetResult(cmdlet.ShouldProcess(target, action)));
            return answer.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Queues work for the pipeline thread; once the command has ended, late calls are dropped, never thrown.</summary>
        private void Post(Action action)
        {
            try
            {
                queue.Add(action, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // The command finished (CompleteAdding): nothing may reach the pipeline any more.
            }
        }
    }
}
