namespace Granary.Blobs.Protocol;

/// <summary>One silo incarnation in a <see cref="ClusterStatus"/>.</summary>
/// <param name="Node">Its node id.</param>
/// <param name="Address">Where it listens.</param>
/// <param name="Status">Active, Draining, ShuttingDown, Joining or Dead.</param>
/// <param name="Generation">Its incarnation (start time in Unix ms).</param>
/// <param name="Blobs">Blobs it stores; -1 when it could not be asked.</param>
/// <param name="Bytes">Their total size; -1 when it could not be asked.</param>
/// <param name="RepairBacklog">Blobs it owns that had fewer than R copies at its last repair pass; -1 when unknown.</param>
/// <param name="Problem">Why it could not be asked, if so.</param>
public sealed record SiloStatusInfo(string Node, string Address, string Status, long Generation, long Blobs, long Bytes, long RepairBacklog, string? Problem)
{
    internal Dictionary<string, object> ToFields()
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["node"] = Node, ["address"] = Address, ["status"] = Status, ["generation"] = Generation,
        };
        if (Blobs >= 0)
        {
            (fields["blobs"], fields["bytes"], fields["backlog"]) = (Blobs, Bytes, RepairBacklog);
        }

        if (Problem is not null)
        {
            fields["problem"] = Problem;
        }

        return fields;
    }

    internal static SiloStatusInfo From(MetadataBlock silo) => new(
        silo.Text("node") ?? string.Empty,
        silo.Text("address") ?? string.Empty,
        silo.Text("status") ?? string.Empty,
        silo.Number("generation") ?? 0,
        silo.Number("blobs") ?? -1,
        silo.Number("bytes") ?? -1,
        silo.Number("backlog") ?? -1,
        silo.Text("problem"));
}
