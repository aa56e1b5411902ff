using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>
/// <see cref="Downloader.FillAsync"/>, the fill behind replica copies and transfer channels, over
/// real silos into a real store's partial blob: split across providers through a corrupt one,
/// stopped and resumed by a pacer with every durable byte counted once, pieces that keep to a
/// pacer's room, and a lone provider's own failure.
/// </summary>
public sealed class DownloaderFillTests : IAsyncLifetime
{
    private const long Block = BaoTree.BlockSize;
    private readonly List<TestSilo> _silos = [];
    private readonly List<BlobClient> _clients = [];

    /// <summary>The store that receives: a third silo's, which holds none of the test blobs.</summary>
    private BlobStore Store => _silos[2].Store;

    public async Task InitializeAsync()
    {
        for (int i = 0; i < 3; i++)
        {
            _silos.Add(await TestSilo.StartAsync());
        }

        foreach (TestSilo silo in _silos.Take(2))
        {
            _clients.Add(await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (BlobClient client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (TestSilo silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    private static async Task<(byte[] Data, Blake3Hash Hash)> PutAsync(string name, int length, params BlobClient[] on)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(name), length);
        Blake3Hash hash = default;
        foreach (BlobClient client in on)
        {
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        }

        return (data, hash);
    }

    private async Task<byte[]> StoredAsync(PartialBlob partial)
    {
        BlobInfo stored = await Store.CompletePartialAsync(partial);
        return await File.ReadAllBytesAsync(Store.DataPath(stored.Hash));
    }

    [Fact]
    public async Task A_fill_split_across_two_providers_drops_the_corrupt_one_and_the_blob_is_whole()
    {
        var (data, hash) = await PutAsync(nameof(A_fill_split_across_two_providers_drops_the_corrupt_one_and_the_blob_is_whole), (10 << 20) + 123, [.. _clients]);
        string onSecond = _silos[1].Store.DataPath(hash);
        byte[] corrupt = await File.ReadAllBytesAsync(onSecond);
        for (long offset = 7; offset < corrupt.Length; offset += Downloader.PieceBlocks * Block)
        {
            corrupt[offset] ^= 0x40;
        }

        await File.WriteAllBytesAsync(onSecond, corrupt);
        PartialBlob partial = Store.OpenPartial(hash, data.Length);

        DownloadReport report = await new Downloader(_clients).FillAsync(hash, partial);

        Assert.True(partial.IsComplete);
        Assert.False(report.Stopped);
        Assert.Contains("does not match the blob's hash tree", report.Failures[_clients[1].Silo], StringComparison.Ordinal);
        Assert.Equal(data.Length, report.BytesByProvider[_clients[0].Silo]); // the corrupt piece's first block failed: nothing of it was kept
        Assert.Equal(data, await StoredAsync(partial));
    }

    [Fact]
    public async Task A_pacer_stops_a_fill_and_the_next_fill_asks_only_for_what_is_missing_counting_every_byte_once()
    {
        var (data, hash) = await PutAsync(nameof(A_pacer_stops_a_fill_and_the_next_fill_asks_only_for_what_is_missing_counting_every_byte_once), (9 << 20) + 5, _clients[0]);
        var downloader = new Downloader([_clients[0]]) { PieceBytes = 1 << 20 };
        PartialBlob partial = Store.OpenPartial(hash, data.Length);

        var pacer = new CountingPacer { PiecesAllowed = 3 };
        DownloadReport first = await downloader.FillAsync(hash, partial, SplitStrategy.None, pacer);
        Assert.True(first.Stopped);
        Assert.Equal(3L << 20, pacer.Committed);
        Assert.Equal(3L << 20, partial.Present().ByteCount(partial.Size));

        pacer.PiecesAllowed = int.MaxValue;
        DownloadReport second = await downloader.FillAsync(hash, partial, SplitStrategy.None, pacer);
        Assert.False(second.Stopped);
        Assert.Equal(3L << 20, second.Resumed);
        Assert.Equal(data.Length - (3L << 20), second.BytesByProvider[_clients[0].Silo]);
        Assert.Equal(data.Length, pacer.Committed);
        Assert.Equal(data, await StoredAsync(partial));
    }

    [Fact]
    public async Task A_piece_keeps_to_the_room_the_pacer_gives_and_settles_first_when_asked()
    {
        var (data, hash) = await PutAsync(nameof(A_piece_keeps_to_the_room_the_pacer_gives_and_settles_first_when_asked), 1 << 20, _clients[0]);
        PartialBlob partial = Store.OpenPartial(hash, data.Length);

        // A data limit of 3 blocks: one piece of 3 blocks, counted (settled) before the room is asked again.
        var pacer = new CountingPacer { Limit = 3 * Block, Settles = true };
        DownloadReport report = await new Downloader([_clients[0]]).FillAsync(hash, partial, SplitStrategy.Split, pacer);

        Assert.True(report.Stopped);
        Assert.Equal(3 * Block, pacer.Committed);
        Assert.Equal(ChunkRanges.Range(0, 3 * BaoTree.ChunksPerBlock), partial.Present());
    }

    [Fact]
    public async Task A_lone_provider_fails_with_its_own_error_and_several_with_every_reason()
    {
        var (data, hash) = await PutAsync(nameof(A_lone_provider_fails_with_its_own_error_and_several_with_every_reason), 50_000, _clients[0]);
        PartialBlob partial = Store.OpenPartial(hash, data.Length);

        var missing = await Assert.ThrowsAsync<BlobProtocolException>(() => new Downloader([_clients[1]]).FillAsync(hash, partial));
        Assert.Equal(BlobStatus.NotFound, missing.Status);

        // The first provider's copy is corrupt in its only piece, the second lacks the blob.
        string onFirst = _silos[0].Store.DataPath(hash);
        byte[] corrupt = await File.ReadAllBytesAsync(onFirst);
        corrupt[^1] ^= 0x01;
        await File.WriteAllBytesAsync(onFirst, corrupt);
        var failed = await Assert.ThrowsAsync<ProvidersFailedException>(() => new Downloader(_clients).FillAsync(hash, partial));
        Assert.Equal(2, failed.Failures.Count);
        Assert.True(failed.BadData);

        // The blocks before the corrupt one verified and stay: only the last is missing.
        Assert.Equal(ChunkRanges.Range(0, (ulong)(data.Length / Block) * BaoTree.ChunksPerBlock), partial.Present());
        Assert.False(partial.IsComplete);
    }

    /// <summary>A caller's terms: a number of pieces or a byte limit, and the durable bytes it was told of.</summary>
    private sealed class CountingPacer : IFetchPacer
    {
        private long _committed;

        public int PiecesAllowed { get; set; } = int.MaxValue;

        public long Limit { get; init; } = long.MaxValue;

        public bool Settles { get; init; }

        public long Committed => Interlocked.Read(ref _committed);

        public async ValueTask<long> NextPieceAsync(Func<Task> settle, CancellationToken cancellationToken)
        {
            if (Settles)
            {
                await settle();
            }

            if (PiecesAllowed-- <= 0)
            {
                return 0;
            }

            return Limit == long.MaxValue ? long.MaxValue : Limit - Committed;
        }

        public ValueTask CommittedAsync(long bytes, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _committed, bytes);
            return ValueTask.CompletedTask;
        }
    }
}
