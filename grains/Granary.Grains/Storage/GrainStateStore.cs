using System.Data.Common;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;

namespace Granary.Grains.Storage;

/// <summary>A grain's stored state and its version (the ETag); version 0 means "never written".</summary>
public sealed record StoredState(byte[]? Payload, long Version);

/// <summary>
/// A write was refused: the stored version is no longer the one this activation read (another
/// activation wrote since), or the writing silo is no longer an active member. Either way this
/// activation is stale and must deactivate; the caller retries against the current owner.
/// </summary>
public sealed class InconsistentStateException(string message) : Exception(message);

/// <summary>
/// Grain state rows with version (ETag) semantics, Orleans ADO.NET style: every write names the
/// version it read and succeeds only if it is still current. Writes are also fenced by
/// membership: the writing incarnation must be an Active row in the same database at the moment
/// of the write, so a silo declared dead can never commit state, even before it learns it is dead.
/// </summary>
public sealed class GrainStateStore(ClusterDatabase database)
{
    /// <summary>Reads the state of <paramref name="grain"/>.</summary>
    public async Task<StoredState> ReadAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand select = ClusterDatabase.Command(
            connection, "SELECT payload, version FROM granary_grain_state WHERE grain_type = @type AND grain_key = @key", ("type", grain.Type), ("key", grain.Key));
        await using DbDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredState((byte[])reader.GetValue(0), reader.GetInt64(1))
            : new StoredState(null, 0);
    }

    /// <summary>Writes <paramref name="payload"/> over version <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="InconsistentStateException">The version moved on, or <paramref name="writer"/> is not an active member.</exception>
    public async Task<long> WriteAsync(GrainId grain, byte[] payload, long expectedVersion, SiloIncarnation writer, CancellationToken cancellationToken)
    {
        string fence = $"EXISTS (SELECT 1 FROM granary_silos WHERE node_id = @writer AND generation = @generation AND status = {(int)SiloStatus.Active} {database.ShareLock})";
        string sql = expectedVersion == 0
            ? $"INSERT INTO granary_grain_state (grain_type, grain_key, payload, version) SELECT @type, @key, @payload, 1 WHERE {fence} ON CONFLICT DO NOTHING"
            : $"UPDATE granary_grain_state SET payload = @payload, version = version + 1 WHERE grain_type = @type AND grain_key = @key AND version = @version AND {fence}";
        await ExecuteFencedAsync(grain, sql, payload, expectedVersion, writer, cancellationToken).ConfigureAwait(false);
        return expectedVersion + 1;
    }

    /// <summary>Deletes the state of <paramref name="grain"/> if it is still at <paramref name="expectedVersion"/>.</summary>
    /// <exception cref="InconsistentStateException">As for <see cref="WriteAsync"/>.</exception>
    public async Task DeleteAsync(GrainId grain, long expectedVersion, SiloIncarnation writer, CancellationToken cancellationToken)
    {
        if (expectedVersion == 0)
        {
            return;
        }

        string sql = $"""
            DELETE FROM granary_grain_state WHERE grain_type = @type AND grain_key = @key AND version = @version
            AND EXISTS (SELECT 1 FROM granary_silos WHERE node_id = @writer AND generation = @generation AND status = {(int)SiloStatus.Active} {database.ShareLock})
            """;
        await ExecuteFencedAsync(grain, sql, null, expectedVersion, writer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keys of grains of <paramref name="type"/> after <paramref name="afterKey"/>, in key order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<string>> ListKeysAsync(string type, string afterKey, int limit, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand select = ClusterDatabase.Command(
            connection,
            "SELECT grain_key FROM granary_grain_state WHERE grain_type = @type AND grain_key > @after ORDER BY grain_key LIMIT @limit",
            ("type", type), ("after", afterKey), ("limit", limit));
        await using DbDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private async Task ExecuteFencedAsync(GrainId grain, string sql, byte[]? payload, long expectedVersion, SiloIncarnation writer, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (DbCommand write = ClusterDatabase.Command(
            connection,
            sql,
            ("type", grain.Type), ("key", grain.Key), ("payload", payload), ("version", expectedVersion),
            ("writer", writer.Node.ToString()), ("generation", writer.Generation)))
        {
            if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return;
            }
        }

        // Refused: say which of the two reasons, so logs and tests can tell them apart.
        await using DbCommand member = ClusterDatabase.Command(
            connection,
            $"SELECT count(*) FROM granary_silos WHERE node_id = @writer AND generation = @generation AND status = {(int)SiloStatus.Active}",
            ("writer", writer.Node.ToString()), ("generation", writer.Generation));
        bool active = Convert.ToInt64(await member.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
        throw new InconsistentStateException(active
            ? $"state of {grain} is no longer at version {expectedVersion}: another activation wrote it"
            : $"silo {writer} is not an active member any more: its write to {grain} was fenced off");
    }
}
