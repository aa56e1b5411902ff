using System.CommandLine;
using System.Globalization;
using Granary.Blobs.Protocol;
using Granary.Cli.Blobs;

namespace Granary.Cli.Cluster;

/// <summary>
/// <c>granary scrub --now</c>: has one silo re-verify every blob it stores now, at full speed (the
/// background scrub does the same gently, see <c>granary silo run --scrub-rate</c>). Damaged copies
/// are quarantined and, in a cluster, restored from healthy replicas before the command returns.
/// </summary>
internal static class ScrubCommand
{
    public static Command Create()
    {
        var now = new Option<bool>("--now") { Description = "Scrub now: read and verify every blob on the silo at full speed and wait for the result." };
        var silo = new Option<string?>("--silo") { Description = "The silo to scrub (ticket). Default: GRANARY_SILO, then .granary/silo.ticket.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the cluster's token. Default: the token itself in GRANARY_TOKEN (its text, not a file name), then .granary/admin.token.", HelpName = "FILE" };
        var scrub = new Command(
            "scrub",
            "Re-verify a silo's stored blobs against their hashes now (admin). Damaged copies are quarantined, never served, and restored from another replica in a cluster. Exit code 1 if a damaged blob could not be restored.")
        { now, silo, tokenFile };
        scrub.Validators.Add(result =>
        {
            if (!result.GetValue(now))
            {
                result.AddError("say --now to scrub now; every silo also scrubs in the background at its --scrub-rate (default 16MiB/s).");
            }
        });
        scrub.SetAction((parse, ct) => BlobCommands.RunAsync(parse, silo, tokenFile, null, async (client, ticket) =>
        {
            await Console.Error.WriteLineAsync($"scrubbing {ticket.Node}: reading every stored blob (this takes as long as reading its disk; stopping this command does not stop the silo's pass)…").ConfigureAwait(false);
            ScrubSummary summary = await client.ScrubAsync(ct).ConfigureAwait(false);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{summary.Checked} blobs checked ({summary.Bytes} bytes): {summary.DamagedCount} damaged, {summary.Restored} restored from other replicas"));
            foreach ((Granary.Hashing.Blake3Hash hash, string reason) in summary.Damaged)
            {
                Console.WriteLine($"damaged {hash}: {RemoteText.Printable(reason)}");
            }

            if (summary.Unread > 0)
            {
                Console.WriteLine($"{summary.Unread} blobs could not be read to their end (a read error, see the silo's log); the background scrub tries them again");
            }

            if (summary.StillDamaged > 0)
            {
                // Found now or by an earlier scrub: either way the silo refuses them until they are stored again.
                throw new BlobProtocolException(
                    BlobStatus.Damaged,
                    $"{summary.StillDamaged} blob(s) on this silo are damaged and were not restored (no healthy replica, or a silo alone): they are quarantined under its store/quarantine/ and refused to clients; upload them again");
            }
        }, ct));
        return scrub;
    }
}
