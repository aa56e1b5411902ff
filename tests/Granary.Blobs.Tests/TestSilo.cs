using System.Net;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;
using Granary.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Blobs.Tests;

/// <summary>A real single silo in this process: blob store on real files, blobs protocol over real QUIC.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    public const string Token = "test-admin-token";

    private TestSilo(TempDirectory directory, IFileIo io, BlobStore store, ProtocolRouter router, NodeIdentity identity, ManualClock clock)
    {
        Directory = directory;
        Io = io;
        Store = store;
        Router = router;
        Identity = identity;
        Clock = clock;
    }

    public TempDirectory Directory { get; }

    public IFileIo Io { get; }

    public BlobStore Store { get; }

    public ProtocolRouter Router { get; }

    public NodeIdentity Identity { get; }

    public ManualClock Clock { get; }

    public SiloTicket Ticket => new(Identity.Id, Router.Endpoint.LocalEndPoint);

    public static async Task<TestSilo> StartAsync(long maxBlobSize = 64 << 20)
    {
        var directory = new TempDirectory();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        IFileIo io = FileIo.Create();
        BlobStore store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = directory.Path, MaxBlobSize = maxBlobSize }, io, time: clock);
        var identity = NodeIdentity.CreateEphemeral();
        var handler = new BlobsProtocolHandler(store, new BlobsServerOptions { AdminToken = Token, HeaderTimeout = TimeSpan.FromSeconds(2) }, NullLogger<BlobsProtocolHandler>.Instance);
        var router = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = identity, Bind = new IPEndPoint(IPAddress.Loopback, 0) },
            new Dictionary<string, IProtocolHandler> { [BlobsProtocolHandler.Alpn] = handler });
        return new TestSilo(directory, io, store, router, identity, clock);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Store.DisposeAsync();
        await Io.DisposeAsync();
        Identity.Dispose();
        Directory.Dispose();
    }
}
