using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transport;
using Xunit.Abstractions;

namespace Granary.Grains.Tests.Silos;

/// <summary>
/// A transfer channel's state lives in grain storage: it outlives the activation, the silo and the
/// whole cluster, with every status change written and data counters at least every 8 MiB.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TransferChannelGrainTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChannelId Id = new(NodeId.FromPublicKey([1]), NodeId.FromPublicKey([2]), 77);
    private static readonly ChannelTerms Terms = new() { Size = 12L << 20, Peers = [new SiloTicket(Id.Initiator, System.Net.IPEndPoint.Parse("127.0.0.1:7001"))], KeepPartial = true };
    private readonly SiloLog _log = new();

    [Fact]
    public async Task A_channel_outlives_its_silos_with_its_status_vouchers_and_counters()
    {
        string database = await Cluster.CreateDatabaseAsync(postgres);
        ChannelState before;
        await using (GrainSilo a = await GrainSilo.StartClusteredAsync(database, _log))
        await using (GrainSilo b = await GrainSilo.StartClusteredAsync(database, _log))
        {
            await Cluster.WaitForActiveAsync([a, b], a, b);
            ITransferChannelGrain channel = a.Grains.TransferChannel(ChannelSide.Responder, Id);
            await channel.OpenAsync(Opened(), Terms);
            await Apply(channel, ChannelEvent.Accept);
            await Apply(channel, ChannelEvent.DataReceived, bytes: 9L << 20);
            await Apply(channel, ChannelEvent.NewVoucherResult);
            await Apply(channel, ChannelEvent.PauseResponder);
            before = (await channel.GetAsync())!;

            await Cluster.DeactivateAsync(a, channel);
            Assert.Equivalent(before, await b.Grains.TransferChannel(ChannelSide.Responder, Id).GetAsync(), strict: true);
            Assert.Null(await b.Grains.TransferChannel(ChannelSide.Initiator, Id).GetAsync());
        }

        // The whole cluster went away; a new silo reads the channel back from PostgreSQL.
        await using GrainSilo c = await GrainSilo.StartClusteredAsync(database, _log);
        ChannelState after = (await c.Grains.TransferChannel(ChannelSide.Responder, Id).GetAsync())!;
        Assert.Equal((ChannelStatus.ResponderPaused, 9L << 20, 1, 1), (after.Status, after.Received, after.Vouchers.Count, after.VoucherResults.Count));
        Assert.Equal(before.Vouchers[0].Body.ToArray(), after.Vouchers[0].Body.ToArray());
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(["logs/", "data/x.bin"], after.Paths);
        ChannelTerms terms = (await c.Grains.TransferChannel(ChannelSide.Responder, Id).GetTermsAsync())!;
        Assert.Equal((Terms.Size, Terms.KeepPartial, Terms.Peers[0]), (terms.Size, terms.KeepPartial, Assert.Single(terms.Peers)));
    }

    [Fact]
    public async Task Data_counters_are_written_every_8_MiB_and_status_changes_always()
    {
        using var data = new TempDirectory();
        string grains = data.File("grains.db");
        await using (GrainSilo silo = await GrainSilo.StartAloneAsync(grains, _log))
        {
            ITransferChannelGrain channel = silo.Grains.TransferChannel(ChannelSide.Initiator, Id);
            await channel.OpenAsync(Opened(), Terms);
            await Apply(channel, ChannelEvent.Accept);
            await Apply(channel, ChannelEvent.DataSent, bytes: 3L << 20);
            await Apply(channel, ChannelEvent.DataSent, bytes: 3L << 20);
            await Cluster.DeactivateAsync(silo, channel);

            // 6 MiB since the last write: not written (a resume re-verifies what the receiver has anyway).
            Assert.Equal((ChannelStatus.Ongoing, 0L), Counters(await channel.GetAsync()));
            await Apply(channel, ChannelEvent.DataSent, bytes: 9L << 20);
            await Cluster.DeactivateAsync(silo, channel);
            Assert.Equal((ChannelStatus.Ongoing, 9L << 20), Counters(await channel.GetAsync()));
            await Apply(channel, ChannelEvent.DataSent, bytes: 1);
            await Apply(channel, ChannelEvent.Cancel);
        }

        await using GrainSilo again = await GrainSilo.StartAloneAsync(grains, _log);
        Assert.Equal((ChannelStatus.Cancelling, (9L << 20) + 1), Counters(await again.Grains.TransferChannel(ChannelSide.Initiator, Id).GetAsync()));
    }

    [Fact]
    public async Task A_retried_open_is_harmless_and_a_reused_transfer_id_or_an_unopened_channel_is_refused()
    {
        using var data = new TempDirectory();
        await using GrainSilo silo = await GrainSilo.StartAloneAsync(data.File("grains.db"), _log);
        ITransferChannelGrain channel = silo.Grains.TransferChannel(ChannelSide.Responder, Id);
        await channel.OpenAsync(Opened(), Terms);
        await Apply(channel, ChannelEvent.Accept);
        Assert.Equal(ChannelStatus.Ongoing, (await channel.OpenAsync(Opened(), Terms)).Status);

        // Typed refusals the transfer handler answers with their status: 400 a reused id, 404 no such channel.
        var other = await Assert.ThrowsAsync<BlobGrainException>(() => channel.OpenAsync(Opened() with { Base = Blake3.Hash([8]) }, Terms));
        Assert.Equal(BlobStatus.BadRequest, other.Status);
        Assert.Contains("exists with other terms", other.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<BlobGrainException>(() => silo.Grains.TransferChannel(ChannelSide.Initiator, Id).ApplyAsync(new ChannelInput(ChannelEvent.Accept, T0)));
        Assert.Equal(BlobStatus.NotFound, missing.Status);
        Assert.Contains("ChannelNotFoundError", missing.Message, StringComparison.Ordinal);

        ChannelStep refused = await channel.ApplyAsync(new ChannelInput(ChannelEvent.Accept, T0));
        Assert.False(refused.Applied);
        Assert.Equal("Accept does not apply to a channel that is Ongoing.", refused.Refusal);
    }

    /// <summary>The test output gets the silos' warnings and errors.</summary>
    public void Dispose()
    {
        foreach (string entry in _log.Entries)
        {
            output.WriteLine(entry);
        }
    }

    private static ChannelState Opened() =>
        ChannelState.Open(Id, TransferDirection.Pull, Blake3.Hash([7]), new Voucher("granary/grant/1", new byte[] { 1, 2, 3 }), T0) with { Paths = ["logs/", "data/x.bin"] };

    private static (ChannelStatus, long) Counters(ChannelState? state) => (state!.Status, state.Sent + state.Received);

    private static async Task Apply(ITransferChannelGrain channel, ChannelEvent input, long bytes = 0)
    {
        ChannelStep step = await channel.ApplyAsync(new ChannelInput(input, T0) { Bytes = bytes, VoucherResult = new("granary/grant/1", true, "Granted.") });
        Assert.True(step.Applied, step.Refusal);
    }
}
