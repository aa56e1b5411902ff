using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Granary.Orleans;

/// <summary>
/// Orleans reminders in a silo's own SQLite file, for a silo that runs alone: Orleans' ADO.NET
/// reminder table does not support SQLite and its in-memory one forgets every reminder on restart.
/// The ETag is the row's integer version, as in the PostgreSQL schema.
/// </summary>
/// <remarks>Table <c>reminders(grain_id, name, grain_hash, start_at, period_ms, version)</c>; range reads follow Orleans' ring: (begin, end], wrapping when begin ≥ end.</remarks>
/// <param name="path">The SQLite file (created if absent; may be shared with <see cref="SqliteGrainStorage"/>).</param>
public sealed class SqliteReminderTable(string path) : IReminderTable
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    /// <inheritdoc/>
    public async Task Init()
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand create = connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS reminders (
                grain_id   TEXT    NOT NULL,
                name       TEXT    NOT NULL,
                grain_hash INTEGER NOT NULL,
                start_at   INTEGER NOT NULL,
                period_ms  INTEGER NOT NULL,
                version    INTEGER NOT NULL,
                PRIMARY KEY (grain_id, name));
            CREATE INDEX IF NOT EXISTS reminders_by_hash ON reminders (grain_hash);
            """;
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync("SELECT grain_id, name, start_at, period_ms, version FROM reminders WHERE grain_id = $id", c => c.Parameters.AddWithValue("$id", grainId.ToString()));

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => begin < end
        ? QueryAsync("SELECT grain_id, name, start_at, period_ms, version FROM reminders WHERE grain_hash > $begin AND grain_hash <= $end", c => Range(c, begin, end))
        : QueryAsync("SELECT grain_id, name, start_at, period_ms, version FROM reminders WHERE grain_hash > $begin OR grain_hash <= $end", c => Range(c, begin, end));

    /// <inheritdoc/>
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        ReminderTableData rows = await QueryAsync(
            "SELECT grain_id, name, start_at, period_ms, version FROM reminders WHERE grain_id = $id AND name = $name",
            c =>
            {
                c.Parameters.AddWithValue("$id", grainId.ToString());
                c.Parameters.AddWithValue("$name", reminderName);
            }).ConfigureAwait(false);
        return rows.Reminders.FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO reminders (grain_id, name, grain_hash, start_at, period_ms, version) VALUES ($id, $name, $hash, $start, $period, 1)
            ON CONFLICT (grain_id, name) DO UPDATE SET start_at = excluded.start_at, period_ms = excluded.period_ms, version = version + 1
            RETURNING version
            """;
        command.Parameters.AddWithValue("$id", entry.GrainId.ToString());
        command.Parameters.AddWithValue("$name", entry.ReminderName);
        command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("$start", entry.StartAt.ToUniversalTime().Ticks);
        command.Parameters.AddWithValue("$period", (long)entry.Period.TotalMilliseconds);
        object? version = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return Convert.ToInt64(version, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "DELETE FROM reminders WHERE grain_id = $id AND name = $name AND version = $version";
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        command.Parameters.AddWithValue("$version", long.TryParse(eTag, CultureInfo.InvariantCulture, out long version) ? version : -1);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task TestOnlyClearTable()
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "DELETE FROM reminders";
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static void Range(SqliteCommand command, uint begin, uint end)
    {
        command.Parameters.AddWithValue("$begin", (long)begin);
        command.Parameters.AddWithValue("$end", (long)end);
    }

    private async Task<ReminderTableData> QueryAsync(string sql, Action<SqliteCommand> bind)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var entries = new List<ReminderEntry>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return new ReminderTableData(entries);
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }
}
