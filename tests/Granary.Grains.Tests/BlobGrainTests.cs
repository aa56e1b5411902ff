using System.Collections.Concurrent;
using System.Net;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Blobs;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Grains.Storage;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;
using Granary.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Tests;

/// <summary>The blob grain's own events reach an observer on another silo (the subscription tool transfer channels will use).</summary>
public sealed class BlobGrainTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_observer_on_another_silo_sees_each_replica_being_added()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        await using BlobSilo a = await BlobSilo.StartAsync(connection);
        await using BlobSilo b = await BlobSilo.StartAsync(connection);
        await using BlobSilo c = await BlobSilo.StartAsync(connection);
        BlobSilo[] silos = [a, b, c];
        await RuntimeTests.WaitForAsync(() => silos.All(s => s.Runtime.View.Active.Count == 3), "3 active");

        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(An_observer_on_another_silo_sees_each_replica_being_added)), 300_000);
        Blake3Hash hash = Blake3.Hash(data);
        var ranked = Placement.Rank(BlobGrain.For(hash).ToString(), a.Runtime.View.Active);

        // Upload through the silo that is NOT an ideal replica, so both copies are made by fetches.
        BlobSilo uploader = silos.Single(s => s.Runtime.Self == ranked[2].Incarnation);
        BlobSilo watcher = silos.First(s => s != uploader);
        var events = new ConcurrentQueue<BlobMessage>();
        using ObserverRegistration observer = watcher.Runtime.CreateObserver((message, _) =>
        {
            events.Enqueue(message);
            return Task.CompletedTask;
        });
        await watcher.Runtime.CallAsync(BlobGrain.For(hash), "subscribe", new BlobMessage([new("observer", observer.Reference.ToString())]));

        await using (BlobClient client = await BlobClient.ConnectAsync(uploader.Ticket, BlobSilo.Token))
        {
            await client.PutAsync(new MemoryStream(data), data.Length);
        }

        // The two ideal replicas were each announced with the running count of copies (the two copies
        // run at once, so their events may arrive in either order).
        await RuntimeTests.WaitForAsync(() => events.Count >= 2, "two replica-added events");
        BlobMessage[] seen = [.. events];
        Assert.All(seen, e => Assert.Equal("replica-added", e.Text("event")));
        Assert.Equal(
            ranked.Take(2).Select(s => s.Node.ToString()).OrderBy(n => n),
            seen.Select(e => e.Text("node")!).OrderBy(n => n));
        Assert.Equal([2L, 3L], seen.Select(e => e.Number("copies") ?? 0).Order().ToArray());

        // And afterwards the uploader's extra copy was dropped: exactly the two ideal silos hold it.
        foreach (BlobSilo silo in silos)
        {
            Assert.Equal(silo != uploader, await silo.Store.HasAsync(hash));
        }
    }

    /// <summary>A whole silo in this process: blob store, grain runtime with the blob grain, both protocols.</summary>
    private sealed class BlobSilo : IAsyncDisposable
    {
        public const string Token = "blob-grain-test-token";
        private readonly CancellationTokenSource _stop = new();
        private readonly List<IAsyncDisposable> _owned = [];
        private Task _running = Task.CompletedTask;
        private TempDirectory _directory = null!;
        private NodeIdentity _identity = null!;

        public GrainRuntime Runtime { get; private set; } = null!;

        public BlobStore Store { get; private set; } = null!;

        public SiloTicket Ticket { get; private set; } = null!;

        public static async Task<BlobSilo> StartAsync(string connection)
        {
            var silo = new BlobSilo { _directory = new TempDirectory(), _identity = NodeIdentity.CreateEphemeral() };
            var database = ClusterDatabase.Postgres(connection);
            await database.EnsureSchemaAsync(CancellationToken.None);
            IFileIo io = FileIo.Create();
            silo.Store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = silo._directory.Path }, io);
            var options = new BlobClusterOptions { Replicas = 2 };
            silo.Runtime = new GrainRuntime(
                database, new SiloIncarnation(silo._identity.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), new GrainRuntimeOptions(),
                RuntimeSilo.FastMembership(), NullLoggerFactory.Instance);
            var replicator = new BlobReplicator(silo.Store, silo.Runtime, options, NullLogger<BlobReplicator>.Instance);
            silo.Runtime.AddGrainType(BlobGrain.TypeName, () => new BlobGrain(options, NullLogger<BlobGrain>.Instance));
            silo.Runtime.AddSiloService(replicator);
            var handler = new BlobsProtocolHandler(silo.Store, new BlobsServerOptions { AdminToken = Token }, NullLogger<BlobsProtocolHandler>.Instance, new ClusterBlobs(silo.Runtime, replicator, options));
            var router = ProtocolRouter.Start(
                new QuicEndpointOptions { Identity = silo._identity, Bind = new IPEndPoint(IPAddress.Loopback, 0) },
                new Dictionary<string, IProtocolHandler> { [BlobsProtocolHandler.Alpn] = handler, [GrainRuntime.Alpn] = silo.Runtime.CreateProtocolHandler() });
            silo._owned.AddRange([router, silo.Runtime, silo.Store, io, database]);
            await silo.Runtime.StartAsync(router.Endpoint, router.Endpoint.LocalEndPoint, CancellationToken.None);
            silo.Ticket = new SiloTicket(silo._identity.Id, router.Endpoint.LocalEndPoint);
            silo._running = silo.Runtime.RunAsync(silo._stop.Token);
            return silo;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _running;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            await Runtime.StopAsync(CancellationToken.None);
            foreach (IAsyncDisposable owned in _owned)
            {
                await owned.DisposeAsync();
            }

            _identity.Dispose();
            _directory.Dispose();
            _stop.Dispose();
        }
    }
}
