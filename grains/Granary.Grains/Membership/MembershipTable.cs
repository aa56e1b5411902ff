using System.Data.Common;
using System.Net;
using Granary.Grains.Storage;
using Granary.Transport;

namespace Granary.Grains.Membership;

/// <summary>
/// The membership table: one row per silo incarnation plus a single table version. Every insert
/// or update of a row is a compare-and-swap on both the table version and the row's ETag in one
/// transaction (Orleans' ADO.NET protocol), so two silos acting on the same view cannot both win;
/// the loser re-reads and decides again. Heartbeats touch only their own row's alive time.
/// </summary>
public sealed class MembershipTable(ClusterDatabase database)
{
    /// <summary>Reads every row and the table version in one consistent snapshot.</summary>
    public async Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync(
            database.IsPostgres ? System.Data.IsolationLevel.RepeatableRead : System.Data.IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        long version;
        await using (DbCommand select = ClusterDatabase.Command(connection, "SELECT version FROM granary_membership_version WHERE id = 1"))
        {
            select.Transaction = transaction;
            version = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        var silos = new List<SiloEntry>();
        await using (DbCommand select = ClusterDatabase.Command(connection, "SELECT node_id, generation, address, status, suspicions, started_ms, alive_ms, etag FROM granary_silos ORDER BY node_id, generation"))
        {
            select.Transaction = transaction;
            await using DbDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                silos.Add(new SiloEntry(
                    new SiloIncarnation(NodeId.Parse(reader.GetString(0)), reader.GetInt64(1)),
                    IPEndPoint.Parse(reader.GetString(2)),
                    (SiloStatus)reader.GetInt32(3),
                    SiloEntry.ParseSuspicions(reader.GetString(4)),
                    reader.GetInt64(5),
                    reader.GetInt64(6),
                    reader.GetInt64(7)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MembershipSnapshot(version, silos);
    }

    /// <summary>Inserts <paramref name="entry"/> if the table is still at <paramref name="tableVersion"/>; false if it moved on.</summary>
    public Task<bool> TryInsertAsync(SiloEntry entry, long tableVersion, CancellationToken cancellationToken) =>
        CompareAndSwapAsync(
            tableVersion,
            """
            INSERT INTO granary_silos (node_id, generation, address, status, suspicions, started_ms, alive_ms, etag)
            VALUES (@node, @generation, @address, @status, @suspicions, @started, @alive, 1) ON CONFLICT DO NOTHING
            """,
            Parameters(entry, expectedEtag: 0),
            cancellationToken);

    /// <summary>
    /// Replaces the row of <paramref name="entry"/>'s incarnation if its ETag is still
    /// <paramref name="expectedEtag"/> and the table is still at <paramref name="tableVersion"/>.
    /// </summary>
    public Task<bool> TryUpdateAsync(SiloEntry entry, long expectedEtag, long tableVersion, CancellationToken cancellationToken) =>
        CompareAndSwapAsync(
            tableVersion,
            """
            UPDATE granary_silos SET address = @address, status = @status, suspicions = @suspicions, alive_ms = @alive, etag = etag + 1
            WHERE node_id = @node AND generation = @generation AND etag = @etag
            """,
            Parameters(entry, expectedEtag),
            cancellationToken);

    /// <summary>Records that <paramref name="incarnation"/> is alive; not versioned (only its own silo writes it).</summary>
    public async Task HeartbeatAsync(SiloIncarnation incarnation, long aliveMs, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand update = ClusterDatabase.Command(
            connection,
            "UPDATE granary_silos SET alive_ms = @alive WHERE node_id = @node AND generation = @generation",
            ("alive", aliveMs), ("node", incarnation.Node.ToString()), ("generation", incarnation.Generation));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static (string, object?)[] Parameters(SiloEntry entry, long expectedEtag) =>
    [
        ("node", entry.Node.ToString()),
        ("generation", entry.Incarnation.Generation),
        ("address", entry.Address.ToString()),
        ("status", (int)entry.Status),
        ("suspicions", entry.SuspicionsText),
        ("started", entry.StartedMs),
        ("alive", entry.AliveMs),
        ("etag", expectedEtag),
    ];

    private async Task<bool> CompareAndSwapAsync(long tableVersion, string rowSql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Under READ COMMITTED a concurrent swap makes this UPDATE wait, then re-check the
        // version against the committed row: exactly one of two racing writers matches.
        await using (DbCommand bump = ClusterDatabase.Command(
            connection, "UPDATE granary_membership_version SET version = version + 1 WHERE id = 1 AND version = @version", ("version", tableVersion)))
        {
            bump.Transaction = transaction;
            if (await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await using (DbCommand row = ClusterDatabase.Command(connection, rowSql, parameters))
        {
            row.Transaction = transaction;
            if (await row.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
