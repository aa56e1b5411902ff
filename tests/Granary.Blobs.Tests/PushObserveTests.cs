using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Blobs.Tests;

public sealed class PushObserveTests : IAsyncLifetime
{
    private TestSilo _silo = null!;
    private BlobClient _client = null!;
    private byte[] _data = null!;
    private byte[] _outboard = null!;
    private Blake3Hash _hash;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _client = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        _data = TestRandom.Bytes(TestRandom.For(nameof(PushObserveTests)), (20 * BaoTree.BlockSize) + 777);
        using var outboard = new MemoryStream();
        (_hash, _) = await BaoOutboardBuilder.CreateAsync(new MemoryStream(_data), outboard);
        _outboard = outboard.ToArray();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
    }

    private Task<BlobAvailability> PushAsync(ChunkRanges ranges) =>
        _client.PushAsync(_hash, _data.Length, new MemoryRandomAccessStorage(_data), new MemoryRandomAccessStorage(_outboard), ranges);

    private async Task AssertServedAsync()
    {
        using var back = new MemoryStream();
        await _client.GetToStreamAsync(_hash, back);
        Assert.Equal(_data, back.ToArray());
    }

    [Fact]
    public async Task Pushing_a_whole_blob_stores_it()
    {
        BlobAvailability result = await PushAsync(ChunkRanges.All);
        Assert.True(result.Complete);
        await AssertServedAsync();
        Assert.True((await PushAsync(ChunkRanges.All)).Complete);
    }

    [Fact]
    public async Task Pushes_of_two_halves_complete_the_blob_and_an_observer_sees_it_happen()
    {
        ChunkRanges firstHalf = ChunkRanges.Range(0, 10 * 16);
        BlobAvailability half = await PushAsync(firstHalf);
        Assert.False(half.Complete);
        Assert.Equal(firstHalf, half.Present);
        await Assert.ThrowsAsync<BlobProtocolException>(() => _client.GetToStreamAsync(_hash, Stream.Null));

        await using BlobClient observer = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        var updates = new List<BlobAvailability>();
        var firstUpdate = new TaskCompletionSource();
        Task watching = Task.Run(async () =>
        {
            await foreach (BlobAvailability update in observer.ObserveAsync(_hash))
            {
                updates.Add(update);
                firstUpdate.TrySetResult();
            }
        });
        await firstUpdate.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True((await PushAsync(firstHalf.Complement())).Complete);
        await watching.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(firstHalf, updates[0].Present);
        Assert.False(updates[0].Complete);
        Assert.True(updates[^1].Complete);
        await AssertServedAsync();
    }

    [Fact]
    public async Task A_corrupted_push_keeps_only_what_verified_and_a_clean_push_finishes_the_blob()
    {
        using var encoding = new MemoryStream();
        await BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(_data), new MemoryRandomAccessStorage(_outboard), _data.Length, ChunkRanges.All, encoding);
        byte[] corrupt = (byte[])_data.Clone();
        corrupt[(5 * BaoTree.BlockSize) + 3] ^= 0x10;

        var refused = await Assert.ThrowsAsync<BlobProtocolException>(() =>
            _client.PushAsync(_hash, _data.Length, new MemoryRandomAccessStorage(corrupt), new MemoryRandomAccessStorage(_outboard)));
        Assert.Equal(BlobStatus.HashMismatch, refused.Status);
        Assert.Contains("block 5", refused.Message, StringComparison.Ordinal);

        await using BlobClient observer = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        await foreach (BlobAvailability now in observer.ObserveAsync(_hash))
        {
            Assert.Equal(ChunkRanges.Range(0, 5 * 16), now.Present);
            break;
        }

        Assert.True((await PushAsync(ChunkRanges.From(5 * 16))).Complete);
        await AssertServedAsync();
    }
}
