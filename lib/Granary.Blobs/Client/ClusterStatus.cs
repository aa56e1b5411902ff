using Granary.Blobs.Protocol;

namespace Granary.Blobs.Client;

/// <summary>One silo in <see cref="ClusterStatus"/>.</summary>
/// <param name="Node">Its node id.</param>
/// <param name="Address">Where it listens.</param>
/// <param name="Status">Active, ShuttingDown (draining), Joining or Dead.</param>
/// <param name="Generation">Its incarnation (start time in Unix ms).</param>
/// <param name="Blobs">Blobs it stores; -1 when it could not be asked.</param>
/// <param name="Bytes">Their total size; -1 when it could not be asked.</param>
/// <param name="RepairBacklog">Blobs it owns that had fewer than R copies at its last repair pass; -1 when unknown.</param>
/// <param name="Problem">Why it could not be asked, if so.</param>
public sealed record SiloStatusInfo(string Node, string Address, string Status, long Generation, long Blobs, long Bytes, long RepairBacklog, string? Problem);

/// <summary>The cluster as one silo sees it: the replication factor and every silo incarnation in the table.</summary>
public sealed record ClusterStatus(long Replicas, long ViewVersion, IReadOnlyList<SiloStatusInfo> Silos)
{
    internal static ClusterStatus FromMessage(BlobMessage reply)
    {
        var silos = new List<SiloStatusInfo>();
        if (reply.Fields.TryGetValue("silos", out object? list) && list is List<object> items)
        {
            foreach (object item in items)
            {
                if (item is not SortedDictionary<string, object> fields)
                {
                    throw new BlobProtocolException(BlobStatus.BadRequest, "'silos' must be a list of dictionaries");
                }

                var silo = new BlobMessage(fields);
                silos.Add(new SiloStatusInfo(
                    silo.Text("node") ?? string.Empty,
                    silo.Text("address") ?? string.Empty,
                    silo.Text("status") ?? string.Empty,
                    silo.Number("generation") ?? 0,
                    silo.Number("blobs") ?? -1,
                    silo.Number("bytes") ?? -1,
                    silo.Number("backlog") ?? -1,
                    silo.Text("problem")));
            }
        }

        return new ClusterStatus(reply.Number("replicas") ?? 1, reply.Number("view") ?? 0, silos);
    }
}
