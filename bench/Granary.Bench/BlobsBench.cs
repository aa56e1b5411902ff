using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Bench;

/// <summary>
/// Load against a running silo:
///   blobs-small TICKET TOKEN_FILE COUNT CONCURRENCY SIZE   COUNT distinct blobs put then got by CONCURRENCY clients
///   blobs-load TICKET TOKEN_FILE HASH FILE N               N verified downloads of HASH and N uploads of FILE at once
/// </summary>
internal static class BlobsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
        switch (args)
        {
            case ["blobs-small", var ticket, var tokenFile, var count, var concurrency, var size]:
                await SmallAsync(SiloTicket.Parse(ticket), (await File.ReadAllTextAsync(tokenFile)).Trim(), Int(count), Int(concurrency), Int(size), seed: 42);
                return 0;
            case ["blobs-small", var ticket, var tokenFile, var count, var concurrency, var size, var seed]:
                // Another seed: other blobs, so a second run stores new blobs instead of finding them there.
                await SmallAsync(SiloTicket.Parse(ticket), (await File.ReadAllTextAsync(tokenFile)).Trim(), Int(count), Int(concurrency), Int(size), Int(seed));
                return 0;
            case ["blobs-load", var ticket, var tokenFile, var hash, var file, var n]:
                await LoadAsync(SiloTicket.Parse(ticket), (await File.ReadAllTextAsync(tokenFile)).Trim(), Blake3Hash.Parse(hash), file, Int(n));
                return 0;
            default:
                Console.Error.WriteLine("usage: blobs-small TICKET TOKEN_FILE COUNT CONCURRENCY SIZE [SEED] | blobs-load TICKET TOKEN_FILE HASH FILE N");
                return 2;
        }
    }

    private static async Task SmallAsync(SiloTicket silo, string token, int count, int concurrency, int size, int seed)
    {
        var random = new Random(seed);
        byte[][] payloads = Enumerable.Range(0, count).Select(_ => { byte[] b = new byte[size]; random.NextBytes(b); return b; }).ToArray();
        BlobClient[] clients = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => BlobClient.ConnectAsync(silo, token)));
        var hashes = new Blake3Hash[count];
        var holders = new ConcurrentDictionary<string, Task<BlobClient>>();
        try
        {
            // As the CLI sends (BlobUploader: placed where each blob belongs when the silo is in a
            // cluster that places uploads; BENCH_PLACE=0: plain puts to the asked silo, for A/B runs).
            bool place = Environment.GetEnvironmentVariable("BENCH_PLACE") != "0";
            var uploaders = clients.ToDictionary(c => c, c => new BlobUploader(c, (other, cancel) => BlobClient.ConnectAsync(other, token, cancel)));
            try
            {
                await PhaseAsync("put", count, clients, async (client, i) =>
                    hashes[i] = (place ? await uploaders[client].PutAsync(new MemoryStream(payloads[i]), size) : await client.PutAsync(new MemoryStream(payloads[i]), size)).Hash);
            }
            finally
            {
                foreach (BlobUploader uploader in uploaders.Values)
                {
                    await uploader.DisposeAsync();
                }
            }

            await PhaseAsync("get", count, clients, async (client, i) =>
            {
                using var copy = new MemoryStream(size);
                try
                {
                    await client.GetToStreamAsync(hashes[i], copy);
                }
                catch (BlobProtocolException moved) when (moved.Status == BlobStatus.Redirect && moved.Providers.Count > 0)
                {
                    // In a cluster, a silo that does not hold the blob names the ones that do, as a user's
                    // get follows: one connection per holder, shared by the clients (QUIC multiplexes).
                    SiloTicket holder = moved.Providers[i % moved.Providers.Count];
                    BlobClient other = await holders.GetOrAdd(holder.Node.ToString(), _ => BlobClient.ConnectAsync(holder, token));
                    copy.SetLength(0);
                    await other.GetToStreamAsync(hashes[i], copy);
                }

                if (copy.Length != size)
                {
                    throw new InvalidDataException($"blob {i} came back with {copy.Length} bytes");
                }
            });
        }
        finally
        {
            foreach (BlobClient client in clients)
            {
                await client.DisposeAsync();
            }

            foreach (Task<BlobClient> holder in holders.Values)
            {
                await (await holder).DisposeAsync();
            }
        }
    }

    private static async Task PhaseAsync(string name, int count, BlobClient[] clients, Func<BlobClient, int, Task> operation)
    {
        var latencies = new ConcurrentBag<double>();
        int next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                long start = Stopwatch.GetTimestamp();
                await operation(client, i);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        double[] sorted = [.. latencies.Order()];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {count} ops with {clients.Length} clients in {seconds:F2} s = {count / seconds:F0} ops/s, p50 {sorted[sorted.Length / 2]:F2} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F2} ms"));
    }

    private static async Task LoadAsync(SiloTicket silo, string token, Blake3Hash hash, string file, int n)
    {
        var clock = Stopwatch.StartNew();
        Task downloads = Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
        {
            await using BlobClient client = await BlobClient.ConnectAsync(silo, token);
            await client.GetToStreamAsync(hash, Stream.Null);
        }));
        Task uploads = Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
        {
            await using BlobClient client = await BlobClient.ConnectAsync(silo, token);
            await client.PutFileAsync(file);
        }));
        await Task.WhenAll(downloads, uploads);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: {n} downloads + {n} uploads of {new FileInfo(file).Length >> 20} MiB each in {clock.Elapsed.TotalSeconds:F1} s"));
    }
}
