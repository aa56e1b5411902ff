using System.CommandLine;
using System.Globalization;
using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using Granary.Cli.Blobs;
using Granary.Orleans;
using Granary.Transport;

namespace Granary.Cli.Cluster;

/// <summary><c>granary cluster init | status | drain | watch</c>: the operator's view of a cluster, through its database or any of its silos.</summary>
internal static class ClusterCommands
{
    public static Command Create()
    {
        var silo = new Option<string?>("--silo") { Description = "Any silo of the cluster (ticket). Default: GRANARY_SILO, then .granary/silo.ticket.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the cluster's token. Default: the token itself in GRANARY_TOKEN (its text, not a file name), then .granary/admin.token.", HelpName = "FILE" };

        var status = new Command("status", "List the cluster's silos: status, blobs and bytes stored, repair backlog (blobs below R copies).") { silo, tokenFile };
        status.SetAction((parse, ct) => BlobCommands.RunAsync(parse, silo, tokenFile, null, async (client, _) =>
            Print(await client.ClusterStatusAsync(ct).ConfigureAwait(false)), ct));

        var node = new Argument<string>("SILO") { Description = "The node id of the silo to drain (see 'granary cluster status')." };
        var drain = new Command("drain", "Take a silo out of placement: its blobs are copied to the others, then it leaves the cluster and its process exits.") { node, silo, tokenFile };
        drain.SetAction((parse, ct) => BlobCommands.RunAsync(parse, silo, tokenFile, null, async (client, _) =>
        {
            string text = parse.GetValue(node)!;
            if (!NodeId.TryParse(text, out NodeId id))
            {
                throw new FormatException($"'{text}' is not a node id (52 base32 characters, as 'granary cluster status' prints them).");
            }

            await client.DrainAsync(id, ct).ConfigureAwait(false);
            Console.WriteLine($"draining {id}: follow it with 'granary cluster status'");
        }, ct));

        var connection = new Argument<string>("CONNECTION") { Description = "The cluster's PostgreSQL connection string (Npgsql form: Host=...;Database=...;Username=...)." };
        Option<int?> replicas = OptionValues.OptionalInteger("--replicas", 1, Silo.SiloCommand.MaxReplicas, string.Empty);
        replicas.Description = $"Copies of every blob (R), 1 to {Silo.SiloCommand.MaxReplicas}, if the cluster has none yet; default 2.";
        replicas.HelpName = "R";
        var init = new Command("init", "Create or migrate the cluster's schema in PostgreSQL (Orleans' tables, Granary's settings) without starting a silo. Safe to repeat; the first silo does the same.") { connection, replicas };
        init.SetAction(async (parse, ct) =>
        {
            string connectionString = parse.GetValue(connection)!;
            try
            {
                OrleansSchemaResult result = await new OrleansSchema().ApplyAsync(connectionString, ct).ConfigureAwait(false);
                int copies = int.Parse(
                    await new ClusterSettings(connectionString).GetOrCreateAsync("replicas", (parse.GetValue(replicas) ?? 2).ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false),
                    CultureInfo.InvariantCulture);
                Console.WriteLine(result.UpToDate
                    ? $"schema up to date (version {result.Version}); {copies} copies per blob"
                    : $"schema version {result.Version} (applied {string.Join(", ", result.Applied)}; was {result.PreviousVersion}); {copies} copies per blob");
                if (parse.GetValue(replicas) is { } asked && asked != copies)
                {
                    await Console.Error.WriteLineAsync($"granary: --replicas {asked} ignored: the cluster already keeps {copies} copies per blob").ConfigureAwait(false);
                }

                return ExitCodes.Done;
            }
            catch (System.Data.Common.DbException error)
            {
                // Unreachable and refusing databases alike exit 1, as a silo that cannot start does.
                return BlobCommands.Fail(new CommandError(
                    CommandErrorKind.Refused,
                    $"the cluster database could not be used: {error.Message}. Check CONNECTION (host, port, database, user, password) and that PostgreSQL is running and reachable.",
                    null, // the connection string may hold a password
                    error));
            }
            catch (ArgumentException error)
            {
                return BlobCommands.Fail(new CommandError(CommandErrorKind.InvalidArgument, $"CONNECTION is not a valid PostgreSQL connection string: {error.Message}", null, error), parse);
            }
        });

        return new Command("cluster", "Operate a cluster of silos.") { init, status, drain, Gossip.GossipCommands.Watch(silo, tokenFile) };
    }

    private static void Print(ClusterStatus status)
    {
        int serving = status.Silos.Count(s => s.Status is "Active" or "Draining" or "ShuttingDown");
        Console.WriteLine($"{serving} serving silos, {status.Replicas} copies per blob, membership version {status.ViewVersion}");
        Console.WriteLine($"{"NODE",-52}  {"ADDRESS",-21}  {"STATUS",-12}  {"BLOBS",8}  {"BYTES",14}  {"BACKLOG",7}");
        foreach (SiloStatusInfo silo in status.Silos.OrderBy(s => s.Status == "Dead").ThenBy(s => s.Node, StringComparer.Ordinal).ThenByDescending(s => s.Generation))
        {
            Console.WriteLine(
                $"{silo.Node,-52}  {silo.Address,-21}  {silo.Status,-12}  {Count(silo.Blobs),8}  {Count(silo.Bytes),14}  {Count(silo.RepairBacklog),7}" +
                (silo.Problem is null ? string.Empty : $"  ({silo.Problem})"));
        }
    }

    private static string Count(long value) => value < 0 ? "-" : value.ToString(CultureInfo.InvariantCulture);
}
