using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Granary.Orleans;

/// <summary>
/// Grain state in a silo's own SQLite file, for a silo that runs alone (no database server).
/// Orleans' ADO.NET persistence has no SQLite scripts and its clustering/reminders do not support
/// SQLite at all, so this small provider keeps the same contract as the PostgreSQL one: the ETag
/// is the row's integer version, a write succeeds only against the version it read, and a
/// mismatch raises <see cref="InconsistentStateException"/> (the grain is then deactivated).
/// </summary>
/// <remarks>
/// Table <c>grain_state(grain_id, state_name, version, payload)</c>; payloads through Orleans'
/// <see cref="IGrainStorageSerializer"/>. A clear keeps the row with an empty payload and the next
/// version, as the PostgreSQL provider keeps its row with a NULL payload: versions never restart, so
/// a holder from before the clear cannot match the version of a state written after it.
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private readonly string _connectionString;
    private readonly IGrainStorageSerializer _serializer;
    private readonly Lazy<Task> _schema;

    /// <summary>A provider over the SQLite file <paramref name="path"/> (created if absent).</summary>
    public SqliteGrainStorage(string path, IGrainStorageSerializer serializer)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _serializer = serializer;
        _schema = new Lazy<Task>(CreateTableAsync);
    }

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = Command(connection, "SELECT version, NULLIF(payload, X'') FROM grain_state WHERE grain_id = $id AND state_name = $name", grainId, stateName);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (await reader.ReadAsync().ConfigureAwait(false))
        {
            // A cleared state keeps its version: the next write must name it.
            grainState.ETag = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = !reader.IsDBNull(1);
            grainState.State = grainState.RecordExists ? _serializer.Deserialize<T>((byte[])reader.GetValue(1)) : Activator.CreateInstance<T>();
        }
        else
        {
            grainState.ETag = null;
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        byte[] payload = _serializer.Serialize(grainState.State).ToArray();
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = grainState.ETag is null
            ? Command(connection, "INSERT INTO grain_state (grain_id, state_name, version, payload) VALUES ($id, $name, 1, $payload) ON CONFLICT DO NOTHING RETURNING version", grainId, stateName)
            : Command(connection, "UPDATE grain_state SET version = version + 1, payload = $payload WHERE grain_id = $id AND state_name = $name AND version = $version RETURNING version", grainId, stateName);
        command.Parameters.AddWithValue("$payload", payload);
        if (grainState.ETag is not null)
        {
            command.Parameters.AddWithValue("$version", long.Parse(grainState.ETag, CultureInfo.InvariantCulture));
        }

        object? version = await command.ExecuteScalarAsync().ConfigureAwait(false);
        if (version is null)
        {
            throw new InconsistentStateException($"the state '{stateName}' of {grainId} changed since this activation read it (version {grainState.ETag ?? "none"})", grainState.ETag ?? "none", "newer");
        }

        grainState.ETag = Convert.ToInt64(version, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is not null)
        {
            await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
            await using SqliteCommand command = Command(connection, "UPDATE grain_state SET version = version + 1, payload = X'' WHERE grain_id = $id AND state_name = $name AND version = $version RETURNING version", grainId, stateName);
            command.Parameters.AddWithValue("$version", long.Parse(grainState.ETag, CultureInfo.InvariantCulture));
            object? version = await command.ExecuteScalarAsync().ConfigureAwait(false)
                ?? throw new InconsistentStateException($"the state '{stateName}' of {grainId} changed since this activation read it (version {grainState.ETag})", grainState.ETag, "newer");
            grainState.ETag = Convert.ToInt64(version, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, GrainId grainId, string stateName)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", stateName);
        return command;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        await _schema.Value.ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    private async Task CreateTableAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using SqliteCommand create = connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_id   TEXT    NOT NULL,
                state_name TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                payload    BLOB    NOT NULL,
                PRIMARY KEY (grain_id, state_name));
            """;
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
