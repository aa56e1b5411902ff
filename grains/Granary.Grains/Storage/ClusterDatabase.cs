using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Grains.Storage;

/// <summary>
/// The cluster's SQL database through ADO.NET: PostgreSQL for a cluster of silos, or an embedded
/// SQLite file for a single silo. Both hold the same tables (membership, grain state, settings);
/// the SQL is shared except where a dialect differs (row locks used for fencing).
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private ClusterDatabase(NpgsqlDataSource? postgres, string? sqlite)
    {
        _postgres = postgres;
        _sqlite = sqlite;
    }

    /// <summary>True for PostgreSQL (many silos), false for the embedded SQLite file (one silo).</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>What the database is, for logs and errors (no password).</summary>
    public string Description { get; private init; } = string.Empty;

    /// <summary>
    /// A row-lock clause for the fencing sub-select: on PostgreSQL, FOR SHARE makes a state write
    /// and a concurrent "declare this silo dead" serialise, so a write never commits after the
    /// writer was declared dead. SQLite runs one writer at a time, which gives the same order.
    /// </summary>
    internal string ShareLock => IsPostgres ? "FOR SHARE" : string.Empty;

    /// <summary>A cluster database on PostgreSQL.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public static ClusterDatabase Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var source = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        return new ClusterDatabase(source, null) { Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}" };
    }

    /// <summary>The embedded single-silo database at <paramref name="path"/>.</summary>
    public static ClusterDatabase Sqlite(string path) => new(
        null,
        new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString())
    { Description = $"SQLite {path}" };

    /// <summary>Creates or upgrades the schema; safe when many silos start at once.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (IsPostgres)
        {
            // CREATE TABLE IF NOT EXISTS is not safe against itself running concurrently.
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7303447)", cancellationToken).ConfigureAwait(false);
        }

        string bytes = IsPostgres ? "BYTEA" : "BLOB";
        await ExecuteAsync(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS granary_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS granary_membership_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
            INSERT INTO granary_membership_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
            CREATE TABLE IF NOT EXISTS granary_silos (
                node_id TEXT NOT NULL,
                generation BIGINT NOT NULL,
                address TEXT NOT NULL,
                status INTEGER NOT NULL,
                suspicions TEXT NOT NULL,
                started_ms BIGINT NOT NULL,
                alive_ms BIGINT NOT NULL,
                etag BIGINT NOT NULL,
                PRIMARY KEY (node_id, generation));
            CREATE TABLE IF NOT EXISTS granary_grain_state (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                payload {bytes} NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (grain_type, grain_key));
            INSERT INTO granary_settings (name, value) VALUES ('schema', '1') ON CONFLICT DO NOTHING;
            """, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of cluster setting <paramref name="name"/>; the first caller's <paramref name="initial"/> wins.</summary>
    public async Task<string> GetOrCreateSettingAsync(string name, string initial, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (DbCommand insert = Command(connection, "INSERT INTO granary_settings (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING", ("name", name), ("value", initial)))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using DbCommand select = Command(connection, "SELECT value FROM granary_settings WHERE name = @name", ("name", name));
        return (string)(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    internal async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using DbCommand pragmas = Command(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        DbCommand command = connection.CreateCommand();
#pragma warning disable CA2100 // Only constant SQL reaches here; values always travel as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach ((string name, object? value) in parameters)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using DbCommand command = Command(connection, sql);
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }
}
