using System.Diagnostics;
using System.Globalization;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;

namespace Granary.Bench;

/// <summary>
/// Many transfer channels at once against two running silos:
///   transfer-small TICKET_A TOKEN_FILE_A TICKET_B GRANT_FILE HASHES_FILE CLIENTS
/// A pulls every hash of HASHES_FILE (one per line) from B under the grant, all channels started
/// at once over CLIENTS connections to A; each channel is followed (as `transfer pull --wait`
/// does) until it is final. Prints the time until all are final, how many completed, and the
/// channel events A recorded (every event the per-channel watches saw) per second.
/// </summary>
internal static class TransferBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["transfer-small", var ticketA, var tokenFileA, var ticketB, var grantFile, var hashesFile, var clients]:
                return await SmallAsync(
                    SiloTicket.Parse(ticketA), (await File.ReadAllTextAsync(tokenFileA)).Trim(), SiloTicket.Parse(ticketB),
                    VoucherText.Parse(await File.ReadAllTextAsync(grantFile), grantFile),
                    [.. (await File.ReadAllLinesAsync(hashesFile)).Where(l => l.Length > 0).Select(Blake3Hash.Parse)],
                    int.Parse(clients, CultureInfo.InvariantCulture));
            default:
                Console.Error.WriteLine("usage: transfer-small TICKET_A TOKEN_FILE_A TICKET_B GRANT_FILE HASHES_FILE CLIENTS");
                return 2;
        }
    }

    private static async Task<int> SmallAsync(SiloTicket a, string token, SiloTicket b, Voucher grant, IReadOnlyList<Blake3Hash> hashes, int clientCount)
    {
        TransferClient[] clients = await Task.WhenAll(Enumerable.Range(0, clientCount).Select(_ => TransferClient.ConnectAsync(a, token)));
        var starts = new double[hashes.Count];
        var ends = new double[hashes.Count];
        var events = new long[hashes.Count];
        var outcome = new ChannelStatus[hashes.Count];
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(hashes.Select((hash, i) => Task.Run(async () =>
            {
                TransferClient client = clients[i % clients.Length];
                ChannelReport started = await client.StartAsync(TransferDirection.Pull, [b], hash, grant);
                starts[i] = clock.Elapsed.TotalSeconds;
                ChannelReport last = started;
                await foreach (ChannelReport r in client.WatchAsync(started.Ref))
                {
                    last = r;
                    if (r.Event is not null)
                    {
                        events[i]++;
                    }
                }

                ends[i] = clock.Elapsed.TotalSeconds;
                outcome[i] = last.State.Status;
            })));
        }
        finally
        {
            foreach (TransferClient client in clients)
            {
                await client.DisposeAsync();
            }
        }

        double all = clock.Elapsed.TotalSeconds;
        int completed = outcome.Count(s => s == ChannelStatus.Completed);
        long total = events.Sum();
        static double P(double[] values, double q) { double[] s = [.. values.Order()]; return s[Math.Min(s.Length - 1, (int)(q * s.Length))]; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"channels: {hashes.Count} pulls started at once over {clientCount} connections: {completed} Completed in {all:F2} s = {hashes.Count / all:F1} channels/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"start answered: p50 {P(starts, 0.5):F2} s, max {starts.Max():F2} s; final: p50 {P(ends, 0.5):F2} s, max {ends.Max():F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"events: {total} on the receiving side ({(double)total / hashes.Count:F1} per channel) = {total / all:F0} events/s"));
        if (completed != hashes.Count)
        {
            Console.Error.WriteLine($"transfer-small: {hashes.Count - completed} channel(s) did not complete: {string.Join(", ", outcome.Where(s => s != ChannelStatus.Completed).Distinct())}");
            return 1;
        }

        return 0;
    }
}
