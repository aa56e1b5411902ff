using Npgsql;

namespace Granary.Orleans;

/// <summary>
/// Cluster-wide settings in the cluster's PostgreSQL database (table <c>granary_settings</c>,
/// schema version 4): the first silo's value wins and every later silo adopts it.
/// </summary>
/// <param name="connectionString">An Npgsql connection string; the schema must be applied (<see cref="OrleansSchema"/>).</param>
public sealed class ClusterSettings(string connectionString)
{
    /// <summary>Returns the setting <paramref name="key"/>, storing <paramref name="proposed"/> first if it has no value yet.</summary>
    /// <exception cref="NpgsqlException">The database could not be reached.</exception>
    public async Task<string> GetOrCreateAsync(string key, string proposed, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(proposed);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO granary_settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING;
            SELECT value FROM granary_settings WHERE key = @key;
            """, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("value", proposed);
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
