using Granary.Testing;
using Npgsql;

namespace Granary.Orleans.Tests;

/// <summary>Small helpers over a test database: scalars, and running an <c>OrleansQuery</c> text the way Orleans' providers do (by key, with named parameters).</summary>
internal static class Database
{
    public static async Task<string> CreateWithSchemaAsync(PostgresFixture postgres)
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync();
        await new OrleansSchema().ApplyAsync(connectionString);
        return connectionString;
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        Add(command, parameters);
        object? value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the catalogue's text for <paramref name="queryKey"/> and returns the first column of the first row (null when there is none).</summary>
    public static async Task<object?> RunQueryAsync(string connectionString, string queryKey, params (string Name, object? Value)[] parameters)
    {
        string text = await ScalarAsync<string>(connectionString, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", ("key", queryKey));
        Assert.False(string.IsNullOrEmpty(text), $"no query {queryKey}");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(text, connection);
        Add(command, parameters);
        object? value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private static void Add(NpgsqlCommand command, (string Name, object? Value)[] parameters)
    {
        foreach ((string name, object? value) in parameters)
        {
            if (value is NpgsqlParameter typed)
            {
                // A typed NULL (or any value with an explicit type), named by the tuple.
                typed.ParameterName = name;
                command.Parameters.Add(typed);
                continue;
            }

            var parameter = new NpgsqlParameter(name, value ?? DBNull.Value);
            if (value is null)
            {
                parameter.DbType = System.Data.DbType.String;
            }

            command.Parameters.Add(parameter);
        }
    }
}
