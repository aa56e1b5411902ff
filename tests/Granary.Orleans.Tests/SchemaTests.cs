using Granary.Testing;
using Npgsql;

namespace Granary.Orleans.Tests;

/// <summary>The schema applies to an empty database, again as a no-op, concurrently under the lock, and forward from an older version.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresFixture postgres)
{
    /// <summary>Every query key Orleans 10.4.2's PostgreSQL providers read (taken from the 10.4.2 assemblies).</summary>
    private static readonly string[] ProviderQueryKeys =
    [
        // Clustering.AdoNet
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        // Persistence.AdoNet
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        // Reminders.AdoNet
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task Applies_to_an_empty_database_and_again_as_a_no_op()
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync();
        Assert.Equal(0, await OrleansSchema.ReadVersionAsync(connectionString));

        OrleansSchemaResult first = await new OrleansSchema().ApplyAsync(connectionString);
        Assert.Equal(0, first.PreviousVersion);
        Assert.Equal(OrleansSchema.LatestVersion, first.Version);
        Assert.Equal(OrleansSchema.Migrations.Select(m => m.Version), first.Applied);
        string catalogue = await CatalogueAsync(connectionString);

        OrleansSchemaResult second = await new OrleansSchema().ApplyAsync(connectionString);
        Assert.True(second.UpToDate);
        Assert.Equal(OrleansSchema.LatestVersion, second.Version);
        Assert.Equal(catalogue, await CatalogueAsync(connectionString));
        Assert.Equal(OrleansSchema.LatestVersion, await Database.ScalarAsync<int>(connectionString, "SELECT count(*) FROM granary_orleans_schema"));
    }

    [Fact]
    public async Task Catalogue_has_every_query_the_providers_read()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Empty(ProviderQueryKeys.Except(keys));
        Assert.Empty(keys.Except(ProviderQueryKeys));
    }

    [Fact]
    public async Task Concurrent_silos_serialise_on_the_lock_and_one_of_them_migrates()
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync();
        using var start = new ManualResetEventSlim();
        Task<OrleansSchemaResult>[] racers = Enumerable.Range(0, 6)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await new OrleansSchema().ApplyAsync(connectionString);
            }))
            .ToArray();
        start.Set();
        OrleansSchemaResult[] results = await Task.WhenAll(racers);

        Assert.Single(results, r => !r.UpToDate);
        Assert.Equal(5, results.Count(r => r.UpToDate));
        Assert.All(results, r => Assert.Equal(OrleansSchema.LatestVersion, r.Version));
        Assert.Equal(OrleansSchema.LatestVersion, await Database.ScalarAsync<int>(connectionString, "SELECT count(*) FROM granary_orleans_schema"));
        Assert.Equal(ProviderQueryKeys.Length, await Database.ScalarAsync<int>(connectionString, "SELECT count(*) FROM OrleansQuery"));
    }

    [Fact]
    public async Task A_newer_silo_migrates_an_older_schema()
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync();
        OrleansSchemaResult old = await new OrleansSchema().ApplyAsync(connectionString, targetVersion: 1);
        Assert.Equal([1], old.Applied);
        Assert.Null(await Database.ScalarAsync<string?>(connectionString, "SELECT to_regclass('orleansstorage')::text"));

        OrleansSchemaResult upgraded = await new OrleansSchema().ApplyAsync(connectionString);
        Assert.Equal(1, upgraded.PreviousVersion);
        Assert.Equal(Enumerable.Range(2, OrleansSchema.LatestVersion - 1), upgraded.Applied);
        Assert.Equal("orleansstorage", await Database.ScalarAsync<string?>(connectionString, "SELECT to_regclass('orleansstorage')::text"));
        Assert.Equal(OrleansSchema.LatestVersion, await OrleansSchema.ReadVersionAsync(connectionString));
    }

    [Fact]
    public async Task A_schema_newer_than_this_build_is_left_alone()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        int future = OrleansSchema.LatestVersion + 1;
        await Database.ScalarAsync<int>(connectionString, "INSERT INTO granary_orleans_schema (version, name, checksum) VALUES (@v, 'future', 'x') RETURNING version", ("v", future));

        OrleansSchemaResult result = await new OrleansSchema().ApplyAsync(connectionString);
        Assert.True(result.UpToDate);
        Assert.Equal(future, result.Version);
    }

    private static async Task<string> CatalogueAsync(string connectionString) =>
        await Database.ScalarAsync<string>(connectionString, "SELECT string_agg(QueryKey || '=' || md5(QueryText), ',' ORDER BY QueryKey) FROM OrleansQuery");
}
