using Granary.Grains.Blobs;
using Granary.Grains.Tests.Serialization;
using Granary.Orleans;
using Granary.Testing;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Granary.Grains.Tests.Storage;

/// <summary>
/// <see cref="SqliteGrainStorage"/> on a real SQLite file with the silo's serializer: the ETag is the
/// row version, and a write or clear succeeds only against the version its holder read.
/// </summary>
public sealed class SqliteGrainStorageTests(SiloStorageSerializer silo) : IClassFixture<SiloStorageSerializer>, IDisposable
{
    private const string StateName = "blob";
    private readonly TempDirectory _directory = new();

    private string FilePath => _directory.File("grains.db");

    [Fact]
    public async Task Reading_a_state_never_written_gives_no_record_no_etag_and_a_fresh_state()
    {
        SqliteGrainStorage storage = Open();
        var state = new GrainState<BlobRecord> { State = Record(1), ETag = "7", RecordExists = true };
        await storage.ReadStateAsync(StateName, Grain("never"), state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Equivalence.AssertEquivalent(new BlobRecord(), state.State, "state");

        // Another grain's row, or another state of the same grain, is not this one.
        await storage.WriteStateAsync(StateName, Grain("other"), New(Record(2)));
        foreach ((string name, GrainId grain) in new[] { (StateName, Grain("never")), ("cluster", Grain("other")) })
        {
            GrainState<BlobRecord> read = await ReadAsync(storage, grain, name);
            Assert.False(read.RecordExists);
            Assert.Null(read.ETag);
        }
    }

    [Fact]
    public async Task A_written_state_reads_back_equal_with_its_etag()
    {
        SqliteGrainStorage storage = Open();
        GrainState<BlobRecord> state = New(Record(1));
        await storage.WriteStateAsync(StateName, Grain("a"), state);
        Assert.True(state.RecordExists);
        Assert.Equal("1", state.ETag);

        GrainState<BlobRecord> read = await ReadAsync(storage, Grain("a"));
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Equivalence.AssertEquivalent(Record(1), read.State, "read");

        read.State = Record(2);
        await storage.WriteStateAsync(StateName, Grain("a"), read);
        Assert.Equal("2", read.ETag);
        GrainState<BlobRecord> again = await ReadAsync(storage, Grain("a"));
        Assert.Equal("2", again.ETag);
        Equivalence.AssertEquivalent(Record(2), again.State, "read again");
    }

    [Fact]
    public async Task A_writer_holding_a_stale_etag_is_refused_and_the_stored_state_is_unchanged()
    {
        SqliteGrainStorage storage = Open();
        await storage.WriteStateAsync(StateName, Grain("a"), New(Record(1)));
        GrainState<BlobRecord> first = await ReadAsync(storage, Grain("a"));
        GrainState<BlobRecord> second = await ReadAsync(storage, Grain("a"));

        first.State = Record(2);
        await storage.WriteStateAsync(StateName, Grain("a"), first);
        second.State = Record(3);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain("a"), second));

        // A holder that never read (a duplicate activation's first write) is refused too.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain("a"), New(Record(4))));

        GrainState<BlobRecord> stored = await ReadAsync(storage, Grain("a"));
        Assert.Equal("2", stored.ETag);
        Equivalence.AssertEquivalent(Record(2), stored.State, "stored");
    }

    [Fact]
    public async Task Clearing_with_the_current_etag_removes_the_state_and_with_a_stale_etag_throws()
    {
        SqliteGrainStorage storage = Open();
        GrainState<BlobRecord> holder = New(Record(1));
        await storage.WriteStateAsync(StateName, Grain("a"), holder);
        GrainState<BlobRecord> stale = await ReadAsync(storage, Grain("a"));
        holder.State = Record(2);
        await storage.WriteStateAsync(StateName, Grain("a"), holder);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, Grain("a"), stale));
        Equivalence.AssertEquivalent(Record(2), (await ReadAsync(storage, Grain("a"))).State, "after the refused clear");

        await storage.ClearStateAsync(StateName, Grain("a"), holder);
        Assert.False(holder.RecordExists);
        Equivalence.AssertEquivalent(new BlobRecord(), holder.State, "cleared");
        GrainState<BlobRecord> read = await ReadAsync(storage, Grain("a"));
        Assert.False(read.RecordExists);
        Assert.Equal(holder.ETag, read.ETag);
        Equivalence.AssertEquivalent(new BlobRecord(), read.State, "read after the clear");

        // The holder that cleared it may write it again.
        holder.State = Record(3);
        await storage.WriteStateAsync(StateName, Grain("a"), holder);
        Equivalence.AssertEquivalent(Record(3), (await ReadAsync(storage, Grain("a"))).State, "written after the clear");
    }

    [Fact]
    public async Task A_holder_from_before_a_clear_cannot_overwrite_the_state_written_after_it()
    {
        SqliteGrainStorage storage = Open();
        GrainState<BlobRecord> current = New(Record(1));
        await storage.WriteStateAsync(StateName, Grain("a"), current);
        GrainState<BlobRecord> stale = await ReadAsync(storage, Grain("a"));

        await storage.ClearStateAsync(StateName, Grain("a"), current);
        GrainState<BlobRecord> next = await ReadAsync(storage, Grain("a"));
        next.State = Record(2);
        await storage.WriteStateAsync(StateName, Grain("a"), next);

        // The stale holder read version 1 of the record that was cleared; the state now is a new one it never saw.
        stale.State = Record(3);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain("a"), stale));
        Equivalence.AssertEquivalent(Record(2), (await ReadAsync(storage, Grain("a"))).State, "stored");
    }

    [Fact]
    public async Task Two_storage_instances_on_one_file_see_each_others_writes()
    {
        SqliteGrainStorage one = Open();
        SqliteGrainStorage two = Open();
        await one.WriteStateAsync(StateName, Grain("a"), New(Record(1)));

        GrainState<BlobRecord> seen = await ReadAsync(two, Grain("a"));
        Assert.Equal("1", seen.ETag);
        Equivalence.AssertEquivalent(Record(1), seen.State, "two reads one's write");
        seen.State = Record(2);
        await two.WriteStateAsync(StateName, Grain("a"), seen);

        GrainState<BlobRecord> back = await ReadAsync(one, Grain("a"));
        Assert.Equal("2", back.ETag);
        Equivalence.AssertEquivalent(Record(2), back.State, "one reads two's write");

        // And the version check spans instances.
        GrainState<BlobRecord> stale = New(Record(3));
        stale.ETag = "1";
        await Assert.ThrowsAsync<InconsistentStateException>(() => one.WriteStateAsync(StateName, Grain("a"), stale));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    public async Task Of_concurrent_writers_from_the_same_etag_exactly_one_wins(string? etag)
    {
        const int Writers = 8;
        if (etag is not null)
        {
            await Open().WriteStateAsync(StateName, Grain("a"), New(Record(0)));
        }

        // Half share one instance (one silo's provider), half have their own (connections of their own on the file).
        SqliteGrainStorage shared = Open();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Exception?>[] writers = [.. Enumerable.Range(1, Writers).Select(i => Task.Run<Exception?>(async () =>
        {
            SqliteGrainStorage storage = i % 2 == 0 ? shared : Open();
            GrainState<BlobRecord> state = New(Record(i));
            state.ETag = etag;
            await gate.Task;
            return await Xunit.Record.ExceptionAsync(() => storage.WriteStateAsync(StateName, Grain("a"), state));
        }))];
        gate.SetResult();
        Exception?[] outcomes = await Task.WhenAll(writers);

        Assert.All(outcomes.Where(e => e is not null), e => Assert.IsType<InconsistentStateException>(e));
        int winner = Assert.Single(Enumerable.Range(1, Writers), i => outcomes[i - 1] is null);
        GrainState<BlobRecord> stored = await ReadAsync(Open(), Grain("a"));
        Assert.Equal(etag is null ? "1" : "2", stored.ETag);
        Equivalence.AssertEquivalent(Record(winner), stored.State, "stored");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // the pooled connections hold the file open
        _directory.Dispose();
    }

    private static GrainId Grain(string key) => GrainId.Create("blob", key);

    private static GrainState<BlobRecord> New(BlobRecord record) => new() { State = record };

    /// <summary>A record with every member set, distinct per <paramref name="n"/>.</summary>
    private static BlobRecord Record(int n) => new()
    {
        Size = 1_000_000_007L + n,
        Created = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)).AddTicks(n),
        Expires = new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.FromHours(9)).AddTicks(n),
        Uploader = $"uploader-{n}",
        Tags = $"k=v, ümlaut {n}",
        Replicas = [$"node-{n}-a", $"node-{n}-b"],
        Deleted = true,
    };

    private static async Task<GrainState<BlobRecord>> ReadAsync(SqliteGrainStorage storage, GrainId grain, string stateName = StateName)
    {
        var state = new GrainState<BlobRecord> { State = new BlobRecord() };
        await storage.ReadStateAsync(stateName, grain, state);
        return state;
    }

    private SqliteGrainStorage Open() => new(FilePath, silo.Serializer);
}
