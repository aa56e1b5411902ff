using Granary.Blobs.Protocol;

using Granary.Hashing;
using Microsoft.Data.Sqlite;

namespace Granary.Storage.Blobs;

/// <summary>
/// Blob metadata in an embedded SQLite database (WAL mode, synchronous=FULL: a row the store
/// acknowledged survives power loss). One connection, serialised: a single silo's metadata
/// traffic is small next to its data traffic. Upserts — one per stored blob — are group-committed:
/// those that arrive while a commit is in progress go in the next one, one transaction and one
/// fsync for all of them (measured: with 32 concurrent 4 KiB PUTs every upsert waited behind the
/// others' fsyncs).
/// </summary>
public sealed class SqliteBlobMetadataStore : IBlobMetadataStore
{
    private const string UpsertSql =
        """
        INSERT INTO blobs (hash, size, created_ms, expires_ms, uploader, tags) VALUES ($hash, $size, $created, $expires, $uploader, $tags)
        ON CONFLICT (hash) DO UPDATE SET expires_ms = max(expires_ms, excluded.expires_ms)
        RETURNING hash, size, created_ms, expires_ms, uploader, tags
        """;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private List<(BlobInfo Blob, TaskCompletionSource<BlobInfo> Done)> _queued = [];

    private SqliteBlobMetadataStore(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating or migrating) the database at <paramref name="path"/>.</summary>
    public static async Task<SqliteBlobMetadataStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var store = new SqliteBlobMetadataStore(connection);
        await store.ExecuteAsync(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS blobs (
                hash BLOB PRIMARY KEY,
                size INTEGER NOT NULL,
                created_ms INTEGER NOT NULL,
                expires_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS blobs_by_expiry ON blobs (expires_ms);
            """,
            [],
            cancellationToken).ConfigureAwait(false);

        // Upload info and tags came after the first schema: add them to databases that lack them.
        foreach (string column in new[] { "uploader", "tags" })
        {
            await using SqliteCommand probe = store.Command($"SELECT count(*) FROM pragma_table_info('blobs') WHERE name = '{column}'", []);
            if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                await store.ExecuteAsync($"ALTER TABLE blobs ADD COLUMN {column} TEXT", [], cancellationToken).ConfigureAwait(false);
            }
        }

        // Scrubbing (issue 16) came later still: when each blob was last re-verified, and the blobs
        // whose copy here failed (kept apart, so that a damaged blob is neither served nor counted).
        await using (SqliteCommand probe = store.Command("SELECT count(*) FROM pragma_table_info('blobs') WHERE name = 'scrubbed_ms'", []))
        {
            if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                await store.ExecuteAsync("ALTER TABLE blobs ADD COLUMN scrubbed_ms INTEGER", [], cancellationToken).ConfigureAwait(false);
            }
        }

        await store.ExecuteAsync(
            """
            CREATE TABLE IF NOT EXISTS damaged (
                hash BLOB PRIMARY KEY,
                size INTEGER NOT NULL,
                found_ms INTEGER NOT NULL,
                reason TEXT NOT NULL);
            CREATE TRIGGER IF NOT EXISTS stored_again AFTER INSERT ON blobs
                BEGIN DELETE FROM damaged WHERE hash = NEW.hash; END;
            """,
            [],
            cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <inheritdoc/>
    public async Task<BlobInfo?> GetAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT hash, size, created_ms, expires_ms, uploader, tags FROM blobs WHERE hash = $hash", [("$hash", hash.ToArray())], cancellationToken)
            .ConfigureAwait(false)).SingleOrDefault();

    /// <inheritdoc/>
    /// <remarks>
    /// Group commit: the upsert is queued; whichever queued caller next holds the connection commits
    /// everything queued so far in one transaction, and the others find theirs done. Once queued it
    /// is committed even if <paramref name="cancellationToken"/> fires (the blob's files are already
    /// in place; a row for them is what the store needs). If the transaction fails, every upsert in
    /// it fails with that exception and none is stored.
    /// </remarks>
    public async Task<BlobInfo> UpsertAsync(BlobInfo blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var done = new TaskCompletionSource<BlobInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_queueLock)
        {
            _queued.Add((blob, done));
        }

        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!done.Task.IsCompleted)
            {
                List<(BlobInfo Blob, TaskCompletionSource<BlobInfo> Done)> batch;
                lock (_queueLock)
                {
                    (batch, _queued) = (_queued, []);
                }

                await CommitUpsertsAsync(batch).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the queued upserts in one transaction (called holding the gate) and completes each caller's task.</summary>
    private async Task CommitUpsertsAsync(List<(BlobInfo Blob, TaskCompletionSource<BlobInfo> Done)> batch)
    {
        var stored = new BlobInfo[batch.Count];
        try
        {
            // Disposed uncommitted (a failure) it rolls back.
            await using var scope = (SqliteTransaction)await _connection.BeginTransactionAsync().ConfigureAwait(false);
            for (int i = 0; i < batch.Count; i++)
            {
                BlobInfo blob = batch[i].Blob;
                await using SqliteCommand command = Command(
                    UpsertSql,
                    [("$hash", blob.Hash.ToArray()), ("$size", blob.Size), ("$created", blob.Created.ToUnixTimeMilliseconds()), ("$expires", blob.Expires.ToUnixTimeMilliseconds()),
                        ("$uploader", (object?)blob.Uploader ?? DBNull.Value), ("$tags", blob.Tags)]);
                command.Transaction = scope;
                stored[i] = (await ReadRowsAsync(command, CancellationToken.None).ConfigureAwait(false)).Single();
            }

            await scope.CommitAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever failed, every caller in the batch must hear it; none of their rows was stored.
        catch (Exception error)
#pragma warning restore CA1031
        {
            foreach (var (_, done) in batch)
            {
                done.TrySetException(error);
            }

            return;
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(stored[i]);
        }
    }

    /// <inheritdoc/>
    public async Task<BlobInfo?> AdoptAsync(BlobInfo record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (await QueryAsync(
            """
            UPDATE blobs SET created_ms = $created, uploader = $uploader, tags = $tags, expires_ms = max(expires_ms, $expires)
            WHERE hash = $hash RETURNING hash, size, created_ms, expires_ms, uploader, tags
            """,
            [("$hash", record.Hash.ToArray()), ("$created", record.Created.ToUnixTimeMilliseconds()), ("$expires", record.Expires.ToUnixTimeMilliseconds()),
                ("$uploader", (object?)record.Uploader ?? DBNull.Value), ("$tags", record.Tags)],
            cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <inheritdoc/>
    public async Task<BlobInfo?> ExtendAsync(Blake3Hash hash, DateTimeOffset expires, CancellationToken cancellationToken = default) =>
        (await QueryAsync(
            "UPDATE blobs SET expires_ms = max(expires_ms, $expires) WHERE hash = $hash RETURNING hash, size, created_ms, expires_ms, uploader, tags",
            [("$hash", hash.ToArray()), ("$expires", expires.ToUnixTimeMilliseconds())],
            cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(
            "DELETE FROM damaged WHERE hash = $hash; DELETE FROM blobs WHERE hash = $hash;", [("$hash", hash.ToArray())], cancellationToken, transaction: true).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BlobInfo>> DueForScrubAsync(DateTimeOffset verifiedBefore, int limit, CancellationToken cancellationToken = default) =>
        await QueryAsync(
            """
            SELECT hash, size, created_ms, expires_ms, uploader, tags FROM blobs
            WHERE coalesce(scrubbed_ms, created_ms) <= $before ORDER BY coalesce(scrubbed_ms, created_ms) LIMIT $limit
            """,
            [("$before", verifiedBefore.ToUnixTimeMilliseconds()), ("$limit", limit)],
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task MarkScrubbedAsync(Blake3Hash hash, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        await ExecuteAsync("UPDATE blobs SET scrubbed_ms = $at WHERE hash = $hash", [("$hash", hash.ToArray()), ("$at", at.ToUnixTimeMilliseconds())], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> MarkDamagedAsync(Blake3Hash hash, DateTimeOffset at, string reason, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(
            """
            INSERT OR REPLACE INTO damaged (hash, size, found_ms, reason) SELECT hash, size, $at, $reason FROM blobs WHERE hash = $hash;
            DELETE FROM blobs WHERE hash = $hash;
            """,
            [("$hash", hash.ToArray()), ("$at", at.ToUnixTimeMilliseconds()), ("$reason", reason)],
            cancellationToken,
            transaction: true).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    public async Task<BlobDamage?> DamageAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        (await DamagedAsync("WHERE hash = $hash", [("$hash", hash.ToArray())], cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BlobDamage>> ListDamagedAsync(CancellationToken cancellationToken = default) =>
        await DamagedAsync("ORDER BY found_ms", [], cancellationToken).ConfigureAwait(false);

    private async Task<List<BlobDamage>> DamagedAsync(string where, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using SqliteCommand command = Command($"SELECT hash, size, found_ms, reason FROM damaged {where}", parameters);
            await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<BlobDamage>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new BlobDamage(new Blake3Hash((byte[])reader[0]), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            }

            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BlobInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        await QueryAsync(
            "SELECT hash, size, created_ms, expires_ms, uploader, tags FROM blobs WHERE expires_ms <= $now ORDER BY expires_ms LIMIT $limit",
            [("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit)],
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Blake3Hash>> AllHashesAsync(CancellationToken cancellationToken = default) =>
        [.. (await QueryAsync("SELECT hash, size, created_ms, expires_ms, uploader, tags FROM blobs", [], cancellationToken).ConfigureAwait(false)).Select(b => b.Hash)];

    /// <inheritdoc/>
    public async Task<(long Blobs, long Bytes)> StatsAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using SqliteCommand command = Command("SELECT count(*), coalesce(sum(size), 0) FROM blobs", []);
            await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <summary>Runs <paramref name="sql"/>; with <paramref name="transaction"/> its statements commit together (one fsync) or not at all.</summary>
    private async Task<int> ExecuteAsync(string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken, bool transaction = false)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using SqliteCommand command = Command(sql, parameters);
            if (!transaction)
            {
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Disposed uncommitted (a failure, a cancellation) it rolls back.
            await using var scope = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            command.Transaction = scope;
            int changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<List<BlobInfo>> QueryAsync(string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using SqliteCommand command = Command(sql, parameters);
            return await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<List<BlobInfo>> ReadRowsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<BlobInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new BlobInfo(
                new Blake3Hash((byte[])reader[0]),
                reader.GetInt64(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)))
            {
                Uploader = reader.IsDBNull(4) ? null : reader.GetString(4),
                Tags = reader.IsDBNull(5) ? string.Empty : reader.GetString(5),
            });
        }

        return rows;
    }

    private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        SqliteCommand command = _connection.CreateCommand();
#pragma warning disable CA2100 // Every statement is a constant of this class; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
