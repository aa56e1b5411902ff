using System.Diagnostics;
using System.Globalization;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Bench;

/// <summary>
/// Load against running cluster silos:
///   cluster-throughput TOKEN_FILE COUNT SIZE CLIENTS TICKET...    COUNT blobs of SIZE bytes uploaded by CLIENTS
///       clients spread over the silos (each acknowledged at R copies), then all downloaded, verified,
///       each from one of its replicas; prints aggregate GB/s of blob bytes. BENCH_SEED (default 0) picks
///       the blobs' contents: a second run with another seed stores new blobs on warm silos.
///   cluster-repair TOKEN_FILE TOTAL BLOB_SIZE VICTIM_PID TICKET...  uploads TOTAL bytes, kills the silo with
///       VICTIM_PID (its ticket is the last), and times detection (declared dead) and repair (every blob back
///       at 2 copies on live silos), with the bytes the victim held.
/// </summary>
internal static class ClusterBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);
        switch (args)
        {
            case ["cluster-throughput", var tokenFile, var count, var size, var clients, .. var tickets] when tickets.Length > 0:
                await ThroughputAsync(Token(tokenFile), (int)Long(count), (int)Long(size), (int)Long(clients), [.. tickets.Select(SiloTicket.Parse)]);
                return 0;
            case ["cluster-repair", var tokenFile, var total, var blobSize, var pid, .. var tickets] when tickets.Length > 1:
                await RepairAsync(Token(tokenFile), Long(total), (int)Long(blobSize), (int)Long(pid), [.. tickets.Select(SiloTicket.Parse)]);
                return 0;
            default:
                Console.Error.WriteLine("usage: cluster-throughput TOKEN_FILE COUNT SIZE CLIENTS TICKET... | cluster-repair TOKEN_FILE TOTAL BLOB_SIZE VICTIM_PID TICKET...");
                return 2;
        }
    }

    private static string Token(string file) => File.ReadAllText(file).Trim();

    private static byte[] Payload(int index, int size)
    {
        byte[] bytes = new byte[size];
        new Random(index).NextBytes(bytes);
        return bytes;
    }

    private static async Task ThroughputAsync(string token, int count, int size, int clientCount, IReadOnlyList<SiloTicket> silos)
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 0;
        byte[][] payloads = [.. Enumerable.Range(0, count).Select(i => Payload(seed * 1_000_003 + i, size))];
        BlobClient[] clients = await Task.WhenAll(Enumerable.Range(0, clientCount).Select(i => BlobClient.ConnectAsync(silos[i % silos.Count], token)));
        var hashes = new Blake3Hash[count];
        try
        {
            int next = -1;
            var clock = Stopwatch.StartNew();
            // As the CLI sends: hashed first and placed where each blob belongs (BENCH_PLACE=0: sent to the client's own silo, for A/B runs).
            bool place = Environment.GetEnvironmentVariable("BENCH_PLACE") != "0";
            await Task.WhenAll(clients.Select(async client =>
            {
                await using var uploader = new BlobUploader(client, (other, cancel) => BlobClient.ConnectAsync(other, token, cancel));
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var data = new MemoryStream(payloads[i]);
                    hashes[i] = (place ? await uploader.PutAsync(data, size) : await client.PutAsync(data, size)).Hash;
                }
            }));
            double up = clock.Elapsed.TotalSeconds;
            // On standard error at once, so a script can read the silos' CPU time at the phase's end.
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"# uploaded in {up:0.000} s; downloading"));

            // Each client reads each of its blobs from one replica, through a connection per silo.
            var located = await Task.WhenAll(hashes.Select(h => clients[0].LocateAsync(h)));
            next = -1;
            clock.Restart();
            await Task.WhenAll(Enumerable.Range(0, clientCount).Select(async c =>
            {
                var byNode = new Dictionary<string, BlobClient>();
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < count)
                    {
                        IReadOnlyList<SiloTicket> providers = located[i].Count > 0 ? located[i] : [clients[c].Silo];
                        SiloTicket from = providers[(i + c) % providers.Count];
                        if (!byNode.TryGetValue(from.Node.ToString(), out BlobClient? client))
                        {
                            client = await BlobClient.ConnectAsync(from, token);
                            byNode[from.Node.ToString()] = client;
                        }

                        await client.GetToStreamAsync(hashes[i], Stream.Null);
                    }
                }
                finally
                {
                    foreach (BlobClient client in byNode.Values)
                    {
                        await client.DisposeAsync();
                    }
                }
            }));
            double down = clock.Elapsed.TotalSeconds;
            double bytes = (double)count * size;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silos={silos.Count} upload_s={up:0.000} upload_GBps={bytes / up / 1e9:0.000} download_s={down:0.000} download_GBps={bytes / down / 1e9:0.000}"));
        }
        finally
        {
            foreach (BlobClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task RepairAsync(string token, long total, int blobSize, int victimPid, IReadOnlyList<SiloTicket> silos)
    {
        SiloTicket victim = silos[^1];
        SiloTicket survivor = silos[0];
        int count = (int)Math.Ceiling((double)total / blobSize);
        var hashes = new List<Blake3Hash>();
        await using (BlobClient client = await BlobClient.ConnectAsync(survivor, token))
        {
            for (int i = 0; i < count; i++)
            {
                hashes.Add((await client.PutAsync(new MemoryStream(Payload(1000 + i, blobSize)), blobSize)).Hash);
            }

            var located = await Task.WhenAll(hashes.Select(h => client.LocateAsync(h)));
            long lost = located.Count(p => p.Any(t => t.Node == victim.Node)) * (long)blobSize;
            Console.WriteLine($"uploaded {count} x {blobSize >> 20} MiB; the victim holds {lost / (1 << 20)} MiB of replicas");

            var clock = Stopwatch.StartNew();
            Process.GetProcessById(victimPid).Kill();
            double detected = 0;
            while (true)
            {
                ClusterStatus status = await client.ClusterStatusAsync();
                if (detected == 0 && status.Silos.Any(s => s.Node == victim.Node.ToString() && s.Status == "Dead"))
                {
                    detected = clock.Elapsed.TotalSeconds;
                }

                if (detected > 0)
                {
                    var now = await Task.WhenAll(hashes.Select(h => client.LocateAsync(h)));
                    if (now.All(p => p.Count == 2 && p.All(t => t.Node != victim.Node)))
                    {
                        break;
                    }
                }

                await Task.Delay(100);
            }

            double repaired = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"detect_s={detected:0.00} repair_after_detect_s={repaired - detected:0.00} kill_to_repaired_s={repaired:0.00} repair_GBps={lost / (repaired - detected) / 1e9:0.000}"));
        }
    }
}
