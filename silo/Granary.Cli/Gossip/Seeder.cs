using System.Net;
using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Cli.Gossip;

/// <summary>
/// A client that shares blobs it holds (<c>granary serve</c>, <c>granary get --seed</c>): it
/// stores them in its own blob store, serves them read-only over <c>granary/blobs/1</c> to anyone
/// with the cluster's token, and answers the blobs' provider topics through a silo until Ctrl-C.
/// Downloaders verify every byte, so a seeder needs no one's trust.
/// </summary>
internal static class Seeder
{
    /// <summary>Imports <paramref name="files"/> into the store in <paramref name="dataDirectory"/>, then seeds them until cancelled, answering through <paramref name="gossip"/>'s silo; downloaders present <paramref name="token"/> (the cluster's).</summary>
    /// <returns>The exit code: 0 after Ctrl-C.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> files, string dataDirectory, IPEndPoint listen, GossipClient gossip, string token, CancellationToken cancellationToken)
    {
        // Every file is checked before anything is created or stored: one bad name stops the command whole.
        foreach (string file in files)
        {
            if (Directory.Exists(file))
            {
                throw new FormatException($"'{file}' is a directory: serve the files in it (a collection cannot be seeded yet).");
            }

            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"no such file: '{file}'.", file);
            }
        }

        Directory.CreateDirectory(dataDirectory);
        await using IFileIo io = FileIo.Create(NullLogger.Instance);
        await using BlobStore store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = Path.Combine(dataDirectory, "store") }, io, cancellationToken: cancellationToken).ConfigureAwait(false);
        var hashes = new List<Blake3Hash>();
        foreach (string file in files)
        {
            FileStream source = File.OpenRead(file);
            await using (source.ConfigureAwait(false))
            {
                // No declared size: a file whose length the system does not know (/proc, a pipe) is read to its end.
                BlobInfo blob = await store.ImportAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
                hashes.Add(blob.Hash);
            }
        }

        using var identity = NodeIdentity.LoadOrCreate(Path.Combine(dataDirectory, "node.key"));
        ProtocolRouter router = ProtocolRouter.Bind(new QuicEndpointOptions { Identity = identity, Bind = listen, Transport = QuicTransportOptions.ForPath(listen.Address) }, [BlobsProtocol.Alpn]);
        await using (router.ConfigureAwait(false))
        {
            var handler = new BlobsProtocolHandler(store, new BlobsServerOptions { AdminToken = token, ReadOnly = true }, NullLogger<BlobsProtocolHandler>.Instance);
            router.Serve(new Dictionary<string, IProtocolHandler> { [BlobsProtocol.Alpn] = handler });
            IPEndPoint bound = router.Endpoint.LocalEndPoint;
            var self = new SiloTicket(identity.Id, bound.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, bound.Port) : bound);
            for (int i = 0; i < files.Count; i++)
            {
                Console.WriteLine($"seeding {hashes[i]}  {files[i]}  at {self}");
            }

            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await ProviderDiscovery.ServeAsync(gossip, hashes, self, hash => Console.Error.WriteLine($"granary: answered a download of {hash}"), cancellationToken).ConfigureAwait(false);
                await Console.Error.WriteLineAsync("granary: the silo ended the provider topics (it is stopping); the seeder stops too").ConfigureAwait(false);
                return ExitCodes.Unavailable;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Done;
            }
            finally
            {
                await router.ShutdownAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
    }
}
