using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Granary.Orleans;

/// <summary>
/// Granary's own PostgreSQL schema for Orleans' ADO.NET providers (clustering, grain persistence,
/// reminders): the tables and the <c>OrleansQuery</c> rows those providers read at start-up.
/// </summary>
/// <remarks>
/// <para>The schema is a list of numbered migrations (embedded <c>Sql/NNNN-name.sql</c>). The
/// table <c>granary_orleans_schema</c> records which are applied. <see cref="ApplyAsync(string, CancellationToken)"/>
/// takes a transaction-scoped PostgreSQL advisory lock, reads the recorded version and applies
/// the missing migrations in order, all in one transaction: silos that start together serialise
/// on the lock, the first one migrates and the others find nothing to do; a failure leaves the
/// database as it was. A newer silo brings an older schema forward the same way.</para>
/// <para>A database whose recorded version is newer than this build knows is left alone (a
/// newer silo migrated it; migrations only add, so an older silo keeps working on it) and a
/// warning is logged.</para>
/// </remarks>
public sealed class OrleansSchema
{
    /// <summary>The ADO.NET invariant Orleans' providers need for PostgreSQL.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// The advisory-lock key every Granary silo takes while it checks or migrates the schema
    /// (the ASCII bytes of "GRANORL1": fixed, so that every build of every silo takes the same lock).
    /// </summary>
    public const long AdvisoryLockKey = 0x4752414E4F524C31; // "GRANORL1"

    private const string ResourcePrefix = "Granary.Orleans.Sql.";

    private const string VersionTableSql = """
        CREATE TABLE IF NOT EXISTS granary_orleans_schema
        (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    private static readonly Lazy<IReadOnlyList<OrleansSchemaMigration>> LoadedMigrations = new(() => LoadMigrations());

    private readonly ILogger _logger;

    /// <summary>Creates the applier.</summary>
    /// <param name="logger">Where to report migrations; none by default.</param>
    public OrleansSchema(ILogger<OrleansSchema>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Every migration this build knows, in version order.</summary>
    public static IReadOnlyList<OrleansSchemaMigration> Migrations => LoadedMigrations.Value;

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Brings the database to <see cref="LatestVersion"/>; does nothing when it is there already.</summary>
    /// <param name="connectionString">An Npgsql connection string for the cluster's database.</param>
    /// <param name="cancellationToken">Cancels the work (the transaction is rolled back).</param>
    /// <returns>The versions before and after, and what was applied.</returns>
    public Task<OrleansSchemaResult> ApplyAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ApplyAsync(connectionString, LatestVersion, cancellationToken);

    /// <summary>Brings the database to <paramref name="targetVersion"/> (an older version than this build's newest: for tests of migration and for staged roll-outs).</summary>
    /// <param name="connectionString">An Npgsql connection string for the cluster's database.</param>
    /// <param name="targetVersion">The version to reach, 1 to <see cref="LatestVersion"/>.</param>
    /// <param name="cancellationToken">Cancels the work (the transaction is rolled back).</param>
    /// <returns>The versions before and after, and what was applied.</returns>
    public async Task<OrleansSchemaResult> ApplyAsync(string connectionString, int targetVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, LatestVersion);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", AdvisoryLockKey)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, VersionTableSql, cancellationToken).ConfigureAwait(false);

        Dictionary<int, string> recorded = await ReadRecordedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        int current = recorded.Count == 0 ? 0 : recorded.Keys.Max();
        WarnAboutEditedMigrations(recorded);

        if (current > LatestVersion)
        {
            OrleansSchemaLog.NewerThanKnown(_logger, current, LatestVersion);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new OrleansSchemaResult(current, current, []);
        }

        var applied = new List<int>();
        foreach (OrleansSchemaMigration migration in Migrations.Where(m => m.Version > current && m.Version <= targetVersion))
        {
            OrleansSchemaLog.Applying(_logger, migration.Version, migration.Name);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO granary_orleans_schema (version, name, checksum) VALUES (@version, @name, @checksum)",
                cancellationToken,
                ("version", migration.Version),
                ("name", migration.Name),
                ("checksum", migration.Checksum)).ConfigureAwait(false);
            applied.Add(migration.Version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        int version = applied.Count == 0 ? current : applied[^1];
        if (applied.Count > 0)
        {
            OrleansSchemaLog.Migrated(_logger, current, version);
        }

        return new OrleansSchemaResult(current, version, applied);
    }

    /// <summary>Reads the database's schema version without changing anything (0: no schema).</summary>
    /// <param name="connectionString">An Npgsql connection string for the cluster's database.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The highest applied version.</returns>
    public static async Task<int> ReadVersionAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('granary_orleans_schema') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return 0;
            }
        }

        await using var command = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM granary_orleans_schema", connection);
        object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private void WarnAboutEditedMigrations(Dictionary<int, string> recorded)
    {
        foreach (OrleansSchemaMigration migration in Migrations)
        {
            if (recorded.TryGetValue(migration.Version, out string? checksum) && checksum != migration.Checksum)
            {
                // A shipped migration was edited: the database keeps what the older text made.
                OrleansSchemaLog.EditedMigration(_logger, migration.Version, migration.Name);
            }
        }
    }

    private static async Task<Dictionary<int, string>> ReadRecordedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var recorded = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM granary_orleans_schema", connection, transaction);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            recorded[reader.GetInt32(0)] = reader.GetString(1);
        }

        return recorded;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<OrleansSchemaMigration> LoadMigrations()
    {
        Assembly assembly = typeof(OrleansSchema).Assembly;
        var migrations = new List<OrleansSchemaMigration>();
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal)))
        {
            // Granary.Orleans.Sql.0001-clustering.sql → version 1, name "clustering".
            string file = resource[ResourcePrefix.Length..^".sql".Length];
            int dash = file.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(file.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            {
                throw new InvalidOperationException($"Orleans schema resource '{resource}' is not named NNNN-name.sql.");
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Orleans schema resource '{resource}' cannot be read.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            string checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new OrleansSchemaMigration(version, file[(dash + 1)..], sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (int i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Orleans schema migrations must be numbered 1, 2, 3, … without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations.Count == 0
            ? throw new InvalidOperationException("No Orleans schema migrations are embedded in Granary.Orleans.")
            : migrations;
    }
}
