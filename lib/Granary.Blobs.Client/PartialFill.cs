using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// One run of <see cref="Downloader.FillAsync"/>: providers take the next missing piece of the
/// target (what is neither present nor claimed by another provider), every block is verified
/// before the target keeps it, and a provider that fails gives its piece back and stops. What
/// arrived is committed in the background while the next pieces stream, one commit at a time and
/// at most <see cref="MaxUncommitted"/> bytes behind, because a commit is fsyncs (~50 ms on a
/// VM's disk) that would otherwise leave the connection idle after every piece.
/// </summary>
internal sealed class PartialFill(
    IReadOnlyList<BlobClient> providers, Blake3Hash hash, IResumableBaoSink target, long pieceBytes, IFetchPacer? pacer, ulong? transferId)
{
    /// <summary>Bytes a fill may hold verified but not yet committed while it fetches on: 64 MiB.</summary>
    public const long MaxUncommitted = 64L << 20;

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<SiloTicket, Exception> _failures = new();
    private readonly ConcurrentDictionary<SiloTicket, long> _delivered = new();
    private readonly ulong _chunks = Math.Max(BaoTree.ChunkCount(target.Size), 1);
    private ChunkRanges _claimed = ChunkRanges.Empty;
    private int _inFlight;
    private TaskCompletionSource _pieceEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _committing = Task.CompletedTask;
    private long _uncommitted;
    private long _present;
    private bool _stopped;
    private Exception? _fault;

    public async Task<DownloadReport> RunAsync(CancellationToken cancellationToken)
    {
        _present = target.Present().ByteCount(target.Size);
        long before = _present;
        while (true)
        {
            long roundStart = _present;
            using var local = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (_gate)
            {
                _claimed = target.Present();
            }

            try
            {
                await Task.WhenAll(providers.Where(p => !_failures.ContainsKey(p.Silo)).Select(p => WorkAsync(p, local))).ConfigureAwait(false);
            }
            catch
            {
                // Every verified block is kept and counted, also those of a piece cut short; a
                // fault of this commit is dropped: the first one is the one to report.
                await CommitAsync().ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                if (_fault is not null)
                {
                    // The other providers stopped with a cancellation because of it.
                    ExceptionDispatchInfo.Capture(_fault).Throw();
                }

                throw;
            }

            await CommitAsync().ConfigureAwait(false);
            if (_stopped || target.IsComplete)
            {
                return new DownloadReport(target.Size, _delivered, ProvidersFailedException.DescribeEach(_failures))
                {
                    Resumed = before,
                    Stopped = !target.IsComplete,
                };
            }

            if (providers.All(p => _failures.ContainsKey(p.Silo)))
            {
                throw ProvidersFailedException.For($"Fetching {hash} failed: every provider failed", _failures);
            }

            if (_present == roundStart)
            {
                throw new IOException($"Fetching {hash}: the providers answered every piece, yet {target.Size - _present} bytes are still missing.");
            }

            // A commit that failed left blocks pending: ask again for what is not present.
        }
    }

    private async Task WorkAsync(BlobClient provider, CancellationTokenSource local)
    {
        CancellationToken token = local.Token;
        try
        {
            while (!Volatile.Read(ref _stopped))
            {
                long allowed = pacer is null ? long.MaxValue : await pacer.NextPieceAsync(CommitAsync, token).ConfigureAwait(false);
                if (allowed <= 0)
                {
                    Volatile.Write(ref _stopped, true);
                    return;
                }

                (ChunkRanges piece, Task ended) = Claim(allowed);
                if (piece.IsEmpty)
                {
                    if (ended.IsCompleted)
                    {
                        return; // nothing missing and nothing in flight
                    }

                    await ended.WaitAsync(token).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    await provider.GetAsync(hash, target, piece, transferId, token).ConfigureAwait(false);
                }
                catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
                {
                    // Its verified blocks are kept; the rest of the piece goes back to the others.
                    _failures[provider.Silo] = error;
                    Release(piece, done: false);
                    return;
                }
                catch
                {
                    Release(piece, done: false);
                    throw;
                }

                long bytes = piece.ByteCount(target.Size);
                _delivered.AddOrUpdate(provider.Silo, bytes, (_, sum) => sum + bytes);
                Release(piece, done: true);
                await PieceReceivedAsync(bytes).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // A local fault (the disk, the caller's own pacer) no other provider can mend: stop them all.
            Interlocked.CompareExchange(ref _fault, error, null);
            await local.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The next missing piece: the start of the first run nobody has, whole blocks, at most <paramref name="allowed"/> bytes.</summary>
    private (ChunkRanges Piece, Task Ended) Claim(long allowed)
    {
        lock (_gate)
        {
            ChunkRanges missing = ChunkRanges.Range(0, _chunks).Difference(_claimed);
            if (missing.IsEmpty)
            {
                return (ChunkRanges.Empty, _inFlight == 0 ? Task.CompletedTask : _pieceEnded.Task);
            }

            ChunkRange first = missing.First();
            ulong blocks = (ulong)Math.Max(1, Math.Min(pieceBytes, allowed) / BaoTree.BlockSize);
            ulong end = Math.Min(first.End ?? _chunks, first.Start + blocks * BaoTree.ChunksPerBlock);
            ChunkRanges piece = ChunkRanges.Range(first.Start, end);
            _claimed |= piece;
            _inFlight++;
            return (piece, Task.CompletedTask);
        }
    }

    private void Release(ChunkRanges piece, bool done)
    {
        TaskCompletionSource ended;
        lock (_gate)
        {
            if (!done)
            {
                _claimed = _claimed.Difference(piece);
            }

            _inFlight--;
            ended = _pieceEnded;
            _pieceEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ended.TrySetResult();
    }

    /// <summary>Starts a commit when none runs or too much waits; waits for the one before when the cap is reached.</summary>
    private async Task PieceReceivedAsync(long bytes)
    {
        Task wait = Task.CompletedTask;
        lock (_gate)
        {
            _uncommitted += bytes;
            if (_committing.IsCompleted || _uncommitted >= MaxUncommitted)
            {
                wait = _committing;
                _committing = Chain(_committing);
            }
        }

        await wait.ConfigureAwait(false);
    }

    /// <summary>Commits what arrived, after the commits already under way.</summary>
    private Task CommitAsync()
    {
        lock (_gate)
        {
            return _committing = Chain(_committing);
        }
    }


    private Task Chain(Task before)
    {
        _uncommitted = 0;
        return Task.Run(async () =>
        {
            await before.ConfigureAwait(false);
            await target.CommitAsync(CancellationToken.None).ConfigureAwait(false);

            // Counted from the target, not from the pieces: a piece cut short by a fault kept its verified blocks too.
            long present = target.Present().ByteCount(target.Size);
            long grown = present - _present;
            _present = present;
            if (grown > 0 && pacer is not null)
            {
                await pacer.CommittedAsync(grown, CancellationToken.None).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }
}
