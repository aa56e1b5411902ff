using Granary.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Granary.Orleans.Tests;

/// <summary>
/// The membership and storage query texts driven directly, with Orleans' parameter names: a CAS
/// conflict writes nothing, cleanup removes Dead rows only, a stale grain-state version is refused.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MembershipSqlTests(PostgresFixture postgres)
{
    private const string Cluster = "cas";
    private const int Dead = 6;
    private const int Active = 3;

    [Fact]
    public async Task Membership_insert_or_update_on_a_stale_version_or_wrong_row_writes_nothing()
    {
        // Rollback must not depend on PL/pgSQL assertions, which this setting turns off.
        string connectionString = new NpgsqlConnectionStringBuilder(await Database.CreateWithSchemaAsync(postgres))
        {
            Options = "-c plpgsql.check_asserts=off",
        }.ConnectionString;

        Assert.Equal(1, Convert.ToInt32(await Database.RunQueryAsync(connectionString, "InsertMembershipVersionKey", ("DeploymentId", Cluster))));
        Assert.Equal(0, Convert.ToInt32(await Database.RunQueryAsync(connectionString, "InsertMembershipVersionKey", ("DeploymentId", Cluster))));
        Assert.Equal(0, await VersionAsync(connectionString));

        Assert.Equal(1, await InsertAsync(connectionString, generation: 1, Active, version: 0));
        Assert.Equal(1, await VersionAsync(connectionString));
        string before = await SnapshotAsync(connectionString);

        // Stale version: no row, no version bump.
        Assert.Equal(0, await InsertAsync(connectionString, generation: 2, Active, version: 0));
        // Right version, duplicate row: the version bump is rolled back with the failed insert.
        Assert.Equal(0, await InsertAsync(connectionString, generation: 1, Active, version: 1));
        // Stale version on update: the row keeps its status.
        Assert.Equal(0, await UpdateAsync(connectionString, generation: 1, Dead, "x", version: 0));
        // Right version, no such row: the version bump is rolled back.
        Assert.Equal(0, await UpdateAsync(connectionString, generation: 9, Dead, "x", version: 1));
        Assert.Equal(before, await SnapshotAsync(connectionString));
        Assert.Equal(1, await VersionAsync(connectionString));

        // And the happy path still moves both together.
        Assert.Equal(1, await UpdateAsync(connectionString, generation: 1, Dead, "127.0.0.1:1@2, 2026-01-01 00:00:00.000 GMT", version: 1));
        Assert.Equal(2, await VersionAsync(connectionString));
        Assert.Equal(Dead, await Database.ScalarAsync<int>(connectionString, "SELECT Status FROM OrleansMembershipTable WHERE Generation = 1"));

        // The heartbeat never touches the version.
        await Database.RunQueryAsync(connectionString, "UpdateIAmAlivetimeKey",
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 1), ("IAmAliveTime", DateTime.UtcNow));
        Assert.Equal(2, await VersionAsync(connectionString));
    }

    [Fact]
    public async Task Cleanup_of_defunct_silos_removes_only_dead_rows()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        await Database.RunQueryAsync(connectionString, "InsertMembershipVersionKey", ("DeploymentId", Cluster));
        await Database.RunQueryAsync(connectionString, "InsertMembershipVersionKey", ("DeploymentId", "other"));
        DateTime old = DateTime.UtcNow.AddHours(-1);
        int version = 0;
        for (int status = 1; status <= 6; status++)
        {
            // Generations 1..6: one old row in every status.
            Assert.Equal(1, await InsertAsync(connectionString, generation: status, status, version++, old));
        }

        Assert.Equal(1, await InsertAsync(connectionString, generation: 7, Dead, version++, DateTime.UtcNow)); // Dead, but recent.
        Assert.Equal(1, await InsertAsync(connectionString, generation: 8, Dead, 0, old, cluster: "other")); // Dead, other cluster.

        await Database.RunQueryAsync(connectionString, "CleanupDefunctSiloEntriesKey",
            ("DeploymentId", Cluster), ("IAmAliveTime", DateTime.UtcNow.AddMinutes(-10)));
        Assert.Equal("1,2,3,4,5,7,8", await GenerationsAsync(connectionString));
        Assert.Equal(version, await VersionAsync(connectionString));

        // Per-row cleanup deletes only the row exactly as it was read, and only when it is Dead.
        (DateTime start, DateTime alive) = await TimesAsync(connectionString, 7);
        Assert.Equal(0, await CleanupRowAsync(connectionString, 7, start, alive, suspectTimes: "changed since"));
        Assert.Equal(0, await CleanupRowAsync(connectionString, 7, start, alive.AddSeconds(1), suspectTimes: null));
        (DateTime activeStart, DateTime activeAlive) = await TimesAsync(connectionString, Active);
        Assert.Equal(0, await CleanupRowAsync(connectionString, Active, activeStart, activeAlive, suspectTimes: null));
        Assert.Equal(1, await CleanupRowAsync(connectionString, 7, start, alive, suspectTimes: null));
        Assert.Equal("1,2,3,4,5,8", await GenerationsAsync(connectionString));
        Assert.Equal(version, await VersionAsync(connectionString));
    }

    [Fact]
    public async Task Grain_state_writes_only_against_the_version_they_read()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        (string, object?)[] Grain(NpgsqlParameter version, byte[] payload) =>
        [
            ("GrainIdHash", 42), ("GrainIdN0", 1L), ("GrainIdN1", 2L), ("GrainTypeHash", 7), ("GrainTypeString", "counter"),
            ("GrainIdExtensionString", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = DBNull.Value }),
            ("ServiceId", "svc"), ("GrainStateVersion", version), ("PayloadBinary", payload),
        ];
        NpgsqlParameter Version(int? v) => new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = v is null ? DBNull.Value : v.Value };

        Assert.Equal(1, await Database.RunQueryAsync(connectionString, "WriteToStorageKey", Grain(Version(null), [1])));
        // A second "first write" (a duplicate activation that never read) loses.
        Assert.Null(await Database.RunQueryAsync(connectionString, "WriteToStorageKey", Grain(Version(null), [2])));
        Assert.Equal(2, await Database.RunQueryAsync(connectionString, "WriteToStorageKey", Grain(Version(1), [3])));
        // A stale version comes back unchanged: Orleans' InconsistentStateException.
        Assert.Equal(1, await Database.RunQueryAsync(connectionString, "WriteToStorageKey", Grain(Version(1), [4])));
        Assert.Equal(new byte[] { 3 }, await Database.ScalarAsync<byte[]>(connectionString, "SELECT PayloadBinary FROM OrleansStorage"));
        Assert.Equal(1, await Database.ScalarAsync<int>(connectionString, "SELECT count(*) FROM OrleansStorage"));
    }

    private static async Task<int> InsertAsync(string connectionString, int generation, int status, int version, DateTime? time = null, string cluster = Cluster)
    {
        DateTime at = time ?? DateTime.UtcNow;
        return Convert.ToInt32(await Database.RunQueryAsync(connectionString, "InsertMembershipKey",
            ("DeploymentId", cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", generation),
            ("SiloName", $"silo{generation}"), ("HostName", "localhost"), ("Status", status), ("ProxyPort", 30000),
            ("StartTime", at), ("IAmAliveTime", at), ("Version", version)));
    }

    private static async Task<int> UpdateAsync(string connectionString, int generation, int status, string? suspectTimes, int version) =>
        Convert.ToInt32(await Database.RunQueryAsync(connectionString, "UpdateMembershipKey",
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", generation),
            ("Status", status), ("SuspectTimes", suspectTimes), ("IAmAliveTime", DateTime.UtcNow), ("Version", version)));

    private static async Task<int> CleanupRowAsync(string connectionString, int generation, DateTime start, DateTime alive, string? suspectTimes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        string text = await Database.ScalarAsync<string>(connectionString, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntryKey'");
        await using var command = new NpgsqlCommand(text, connection);
        command.Parameters.AddWithValue("DeploymentId", Cluster);
        command.Parameters.AddWithValue("Address", "127.0.0.1");
        command.Parameters.AddWithValue("Port", 11111);
        command.Parameters.AddWithValue("Generation", generation);
        command.Parameters.AddWithValue("StartTime", start);
        command.Parameters.AddWithValue("IAmAliveTime", alive);
        command.Parameters.Add(new NpgsqlParameter("SuspectTimes", NpgsqlDbType.Varchar) { Value = (object?)suspectTimes ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<(DateTime Start, DateTime Alive)> TimesAsync(string connectionString, int generation)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT StartTime, IAmAliveTime FROM OrleansMembershipTable WHERE DeploymentId = @c AND Generation = @g", connection);
        command.Parameters.AddWithValue("c", Cluster);
        command.Parameters.AddWithValue("g", generation);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetDateTime(0), reader.GetDateTime(1));
    }

    private static Task<int> VersionAsync(string connectionString) =>
        Database.ScalarAsync<int>(connectionString, "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = @c", ("c", Cluster));

    private static Task<string> GenerationsAsync(string connectionString) =>
        Database.ScalarAsync<string>(connectionString, "SELECT string_agg(Generation::text, ',' ORDER BY Generation) FROM OrleansMembershipTable");

    private static Task<string> SnapshotAsync(string connectionString) =>
        Database.ScalarAsync<string>(connectionString,
            "SELECT (SELECT string_agg(m::text, '|' ORDER BY Generation) FROM OrleansMembershipTable m) || '#' || (SELECT string_agg(v.DeploymentId || ':' || v.Version, '|') FROM OrleansMembershipVersionTable v)");
}
