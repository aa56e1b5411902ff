using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// Issue 14: transfer channels between independent parties (each a silo with its own data, token
/// and grain state), over real QUIC, through real silo processes: push and pull under grants,
/// crashes of either side, pause and resume from each side, data limits, bad vouchers, cancel.
/// </summary>
public sealed class TransferChannelTests(ITestOutputHelper output) : TwoPartyTest(output)
{
    private const int Big = 256 << 20;

    [Fact]
    public async Task A_256_MiB_blob_is_pulled_and_another_pushed_under_grants_and_verified_at_the_receiver()
    {
        Blake3Hash pulled = await B.PutRandomAsync(Big, seed: 1);
        Blake3Hash pushed = await A.PutRandomAsync(Big, seed: 2);
        await using TransferClient a = await A.TransfersAsync();

        ChannelReport pull = await a.StartAsync(TransferDirection.Pull, [B.Ticket], pulled, await B.GrantAsync(A, TransferDirection.Pull, pulled, Big));
        ChannelReport push = await a.StartAsync(TransferDirection.Push, [B.Ticket], pushed, await B.GrantAsync(A, TransferDirection.Push, pushed, Big));
        Assert.Equal(ChannelStatus.Ongoing, pull.State.Status);
        Assert.Equal(ChannelStatus.Ongoing, push.State.Status);

        ChannelReport pullDone = await A.WaitAsync(pull.Ref, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        ChannelReport pushDone = await A.WaitAsync(push.Ref, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal((ChannelStatus.Completed, (long)Big, (long)Big), (pullDone.State.Status, pullDone.State.Received, pullDone.Terms.Size));
        Assert.Equal((ChannelStatus.Completed, (long)Big), (pushDone.State.Status, pushDone.State.Sent));

        // Each receiver holds the blob, verified: its bytes hash to the channel's base.
        Assert.Equal(pulled, await A.HashOfStoredAsync(pulled));
        Assert.Equal(pushed, await B.HashOfStoredAsync(pushed));

        // The other sides agree: the pull's responder sent it all, the push's responder received it all.
        ChannelReport pullThere = await B.WaitAsync(new ChannelRef(pull.Ref.TransferId, A.Ticket.Node), r => r.State.IsFinal, "final");
        ChannelReport pushThere = await B.WaitAsync(new ChannelRef(push.Ref.TransferId, A.Ticket.Node), r => r.State.IsFinal, "final");
        Assert.Equal((ChannelStatus.Completed, (long)Big), (pullThere.State.Status, pullThere.State.Sent));
        Assert.Equal((ChannelStatus.Completed, (long)Big), (pushThere.State.Status, pushThere.State.Received));
    }

    [Fact]
    public async Task Killing_the_responders_silo_mid_pull_disconnects_then_the_channel_restarts_and_fetches_no_verified_range_twice()
    {
        Blake3Hash hash = await B.PutRandomAsync(Big, seed: 3);
        await using TransferClient a = await A.TransfersAsync();
        ChannelReport started = await a.StartAsync(TransferDirection.Pull, [B.Ticket], hash, await B.GrantAsync(A, TransferDirection.Pull, hash, Big));
        await A.WaitAsync(started.Ref, r => r.State.Received >= 16 << 20, "16 MiB received");

        B.Silo.Kill();
        ChannelReport cut = await A.WaitAsync(started.Ref, r => r.State.IsDisconnected, "disconnected");
        Assert.Contains("cannot be reached", cut.State.Message, StringComparison.Ordinal);
        Assert.True(cut.State.Received < Big, "the pull finished before the kill");

        await B.RestartAsync();
        ChannelReport done = await A.WaitAsync(started.Ref, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal(ChannelStatus.Completed, done.State.Status);

        // Counted once per verified byte: a restart asked only for what was missing.
        Assert.Equal((long)Big, done.State.Received);
        Assert.Equal(hash, await A.HashOfStoredAsync(hash));
    }

    [Fact]
    public async Task Killing_the_initiator_mid_pull_and_restarting_it_resumes_from_what_it_verified_and_fetches_again_only_a_block_damaged_meanwhile()
    {
        Blake3Hash hash = await B.PutRandomAsync(Big, seed: 4);
        ChannelRef channel;
        await using (TransferClient a = await A.TransfersAsync())
        {
            channel = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], hash, await B.GrantAsync(A, TransferDirection.Pull, hash, Big))).Ref;
        }

        await A.WaitAsync(channel, r => r.State.Received >= 24 << 20, "24 MiB received");
        A.Silo.Kill();

        // While the silo is down a byte of a recorded block changes on disk: the resumed copy fails
        // its whole-blob check at the end, and only that block is dropped and fetched again.
        string partial = Path.Combine(A.Silo.DataDirectory, "store", "partial", $"{hash}.data");
        await using (var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = (1 << 20) + 5;
            int was = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(was ^ 0xFF));
        }

        await A.RestartAsync();

        // 'granary transfer restart ID' (the silo also resumed it by itself at start: both are harmless).
        await using (TransferClient again = await A.TransfersAsync())
        {
            try
            {
                await again.CommandAsync(channel, TransferCommand.Restart);
            }
            catch (BlobProtocolException finished) when (finished.Message.Contains("Completed", StringComparison.Ordinal))
            {
                // The automatic resume was quicker.
            }
        }

        ChannelReport done = await A.WaitAsync(channel, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal(ChannelStatus.Completed, done.State.Status);
        Assert.Equal(hash, await A.HashOfStoredAsync(hash));

        // The counter was written at most 8 MiB before the kill; the verified blocks since were counted at
        // the restart, not fetched again: the counter ends at the size plus the one block fetched twice.
        Assert.Equal((long)Big + BaoTree.BlockSize, done.State.Received);
    }

    [Fact]
    public async Task A_pause_from_either_side_holds_the_bytes_still_and_both_paused_needs_both_resumes()
    {
        Blake3Hash hash = await B.PutRandomAsync(Big, seed: 5);
        await using TransferClient a = await A.TransfersAsync();
        await using TransferClient b = await B.TransfersAsync();
        ChannelRef mine = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], hash, await B.GrantAsync(A, TransferDirection.Pull, hash, Big))).Ref;
        var theirs = new ChannelRef(mine.TransferId, A.Ticket.Node);

        // The initiator pauses as soon as the channel is open (waiting to see data move first let
        // 256 MiB finish on loopback before the pause): after the piece in flight, nothing moves for 2 s.
        await a.CommandAsync(mine, TransferCommand.Pause);
        await AssertStillAsync(mine, ChannelStatus.InitiatorPaused);

        // The responder pauses too: both paused; the initiator resuming alone is not enough.
        Assert.Equal(ChannelStatus.BothPaused, (await b.CommandAsync(theirs, TransferCommand.Pause)).State.Status);
        await A.WaitAsync(mine, r => r.State.Status == ChannelStatus.BothPaused, "both paused");
        Assert.Equal(ChannelStatus.ResponderPaused, (await a.CommandAsync(mine, TransferCommand.Resume)).State.Status);
        await AssertStillAsync(mine, ChannelStatus.ResponderPaused);

        Assert.Equal(ChannelStatus.Ongoing, (await b.CommandAsync(theirs, TransferCommand.Resume)).State.Status);
        ChannelReport done = await A.WaitAsync(mine, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal((ChannelStatus.Completed, (long)Big), (done.State.Status, done.State.Received));
    }

    [Fact]
    public async Task A_quota_below_the_size_pauses_at_the_quota_a_new_grant_resumes_and_a_refused_one_fails_the_channel()
    {
        const int Size = 48 << 20;
        const long Quota = 20L << 20;
        Blake3Hash first = await B.PutRandomAsync(Size, seed: 6);
        Blake3Hash second = await B.PutRandomAsync(Size, seed: 7);
        await using TransferClient a = await A.TransfersAsync();

        ChannelRef resumed = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], first, await B.GrantAsync(A, TransferDirection.Pull, first, Quota))).Ref;
        ChannelReport limited = await A.WaitAsync(resumed, r => r.State.Status == ChannelStatus.ResponderPaused, "paused at the quota");
        Assert.Equal(Quota, limited.State.DataLimit);
        Assert.InRange(limited.State.Received, Quota, Quota + (16 << 10));
        Assert.Contains("data limit", limited.State.Message, StringComparison.Ordinal);
        await AssertStillAsync(resumed, ChannelStatus.ResponderPaused);

        ChannelReport renewed = await a.SendVoucherAsync(resumed, await B.GrantAsync(A, TransferDirection.Pull, first, Size));
        Assert.Equal(ChannelStatus.Ongoing, renewed.State.Status);
        Assert.Equal((ChannelStatus.Completed, (long)Size), ((await A.WaitAsync(resumed, r => r.State.IsFinal, "final")).State.Status, Size));
        Assert.Equal(first, await A.HashOfStoredAsync(first));

        // A new voucher the validator refuses (a grant for another blob) fails the channel with its sentence.
        ChannelRef refused = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], second, await B.GrantAsync(A, TransferDirection.Pull, second, Quota))).Ref;
        await A.WaitAsync(refused, r => r.State.Status == ChannelStatus.ResponderPaused, "paused at the quota");
        ChannelReport failed = await a.SendVoucherAsync(refused, await B.GrantAsync(A, TransferDirection.Pull, first, Size));
        Assert.Equal(ChannelStatus.Failed, failed.State.Status);
        Assert.Contains("does not cover", failed.State.Message, StringComparison.Ordinal);
        Assert.False(await A.HasAsync(second));
    }

    [Fact]
    public async Task Bad_vouchers_are_refused_with_a_sentence_that_says_why_and_store_nothing()
    {
        const int Size = 1 << 20;
        Blake3Hash hash = await B.PutRandomAsync(Size, seed: 8);
        Blake3Hash other = await B.PutRandomAsync(Size, seed: 9);
        await using TransferClient a = await A.TransfersAsync();
        Voucher good = await B.GrantAsync(A, TransferDirection.Pull, hash, Size);
        byte[] forged = good.Body.ToArray();
        forged[^5] ^= 1; // inside the signature
        await using TransferParty stranger = await TransferParty.StartAsync("C");

        var cases = new (string Case, Blake3Hash Base, Voucher Voucher, string Expected)[]
        {
            ("unknown type", hash, new Voucher("acme/ticket/9", new byte[] { 1, 2, 3 }), "No validator for voucher type 'acme/ticket/9'"),
            ("forged", hash, good with { Body = forged }, "signature does not verify"),
            ("expired", hash, await B.GrantAsync(A, TransferDirection.Pull, hash, Size, TimeSpan.FromMilliseconds(300)), "expired"),
            ("for another node", hash, await B.GrantAsync(stranger, TransferDirection.Pull, hash, Size), "a grant cannot be used by another node"),
            ("base not allowed", other, good, "does not cover"),
            ("wrong direction", hash, await B.GrantAsync(A, TransferDirection.Push, hash, Size), "allows push, not pull"),
            ("issued by a stranger", hash, await stranger.GrantAsync(A, TransferDirection.Pull, hash, Size), "does not trust"),
            ("wrong token", hash, TokenVoucherValidator.ToVoucher("not-the-token"), "not this cluster's admin token"),
        };
        await Task.Delay(400); // the short grant expires

        foreach ((string name, Blake3Hash @base, Voucher voucher, string expected) in cases)
        {
            ChannelReport report = await a.StartAsync(TransferDirection.Pull, [B.Ticket], @base, voucher);
            Assert.True(report.State.Status == ChannelStatus.Failed, $"{name}: {report.State.Status} '{report.State.Message}'");
            Assert.Contains(expected, report.State.Message, StringComparison.Ordinal);
        }

        Assert.False(await A.HasAsync(hash));
        Assert.False(await A.HasAsync(other));

        // A blob the responder does not hold: a good voucher learns so at once (Failed, not retried
        // as if unreachable); a bad one learns nothing about the blob, only that the voucher is bad.
        Blake3Hash absent = Blake3.Hash("not stored anywhere"u8);
        ChannelReport missing = await a.StartAsync(TransferDirection.Pull, [B.Ticket], absent, await B.GrantAsync(A, TransferDirection.Pull, absent, Size));
        Assert.Equal(ChannelStatus.Failed, missing.State.Status);
        Assert.Contains("does not hold blob", missing.State.Message, StringComparison.Ordinal);
        ChannelReport probing = await a.StartAsync(TransferDirection.Pull, [B.Ticket], absent, good with { Body = forged });
        Assert.Equal(ChannelStatus.Failed, probing.State.Status);
        Assert.DoesNotContain("does not hold", probing.State.Message, StringComparison.Ordinal);

        // The trusted-peer voucher (the other cluster's token) works without a quota, and the refusals touched nothing on B.
        ChannelRef trusted = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], hash, TokenVoucherValidator.ToVoucher(B.Token))).Ref;
        Assert.Equal(ChannelStatus.Completed, (await A.WaitAsync(trusted, r => r.State.IsFinal, "final")).State.Status);
        Assert.Equal(hash, await B.HashOfStoredAsync(hash));
    }

    [Fact]
    public async Task Cancelling_from_either_side_ends_both_Cancelled_and_drops_the_partial_data()
    {
        // Each channel is held at its quota (paused by the responder, part of the blob verified
        // and stored) when it is cancelled: a cancel timed only by "data is moving" could meet a
        // channel that had already Completed, as it once did under the full suite.
        const int Size = 48 << 20;
        const long Quota = 20L << 20;
        Blake3Hash first = await B.PutRandomAsync(Size, seed: 10);
        Blake3Hash second = await B.PutRandomAsync(Size, seed: 11);
        await using TransferClient a = await A.TransfersAsync();
        await using TransferClient b = await B.TransfersAsync();

        ChannelRef byInitiator = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], first, await B.GrantAsync(A, TransferDirection.Pull, first, Quota))).Ref;
        Assert.InRange((await A.WaitAsync(byInitiator, r => r.State.Status == ChannelStatus.ResponderPaused, "paused at the quota")).State.Received, Quota, Quota + (16 << 10));
        Assert.Contains($"{first}.data", PartialFilesOnA());
        Assert.Equal(ChannelStatus.Cancelled, (await a.CommandAsync(byInitiator, TransferCommand.Cancel)).State.Status);
        await B.WaitAsync(new ChannelRef(byInitiator.TransferId, A.Ticket.Node), r => r.State.Status == ChannelStatus.Cancelled, "cancelled there");

        ChannelRef byResponder = (await a.StartAsync(TransferDirection.Pull, [B.Ticket], second, await B.GrantAsync(A, TransferDirection.Pull, second, Quota))).Ref;
        Assert.InRange((await A.WaitAsync(byResponder, r => r.State.Status == ChannelStatus.ResponderPaused, "paused at the quota")).State.Received, Quota, Quota + (16 << 10));
        Assert.Contains($"{second}.data", PartialFilesOnA());
        Assert.Equal(ChannelStatus.Cancelled, (await b.CommandAsync(new ChannelRef(byResponder.TransferId, A.Ticket.Node), TransferCommand.Cancel)).State.Status);
        ChannelReport cancelled = await A.WaitAsync(byResponder, r => r.State.Status == ChannelStatus.Cancelled, "cancelled here");
        Assert.Contains("other side", cancelled.State.Message, StringComparison.Ordinal);

        // Nothing partial is left behind on the receiver (it was not asked to keep it).
        Assert.False(await A.HasAsync(first));
        Assert.False(await A.HasAsync(second));
        Assert.Empty(PartialFilesOnA());
        var again = await Assert.ThrowsAsync<BlobProtocolException>(() => a.CommandAsync(byInitiator, TransferCommand.Resume));
        Assert.Contains("Cancelled", again.Message, StringComparison.Ordinal);

        IEnumerable<string> PartialFilesOnA()
        {
            string partials = Path.Combine(A.Silo.DataDirectory, "store", "partial");
            return Directory.Exists(partials) ? Directory.EnumerateFiles(partials).Select(Path.GetFileName).OfType<string>() : [];
        }
    }

    [Fact]
    public async Task A_peer_that_stops_answering_disconnects_the_channel_and_garbage_on_the_wire_gets_a_clear_error()
    {
        Blake3Hash hash = await B.PutRandomAsync(Big, seed: 12);
        await using TransferClient a = await A.TransfersAsync();
        ChannelReport opened = await a.StartAsync(TransferDirection.Pull, [B.Ticket], hash, await B.GrantAsync(A, TransferDirection.Pull, hash, Big));
        ChannelRef channel = opened.Ref;

        // Frozen the moment B has answered the open: 256 MiB crosses loopback in well under a
        // second, so waiting to see data move first let the transfer finish before the freeze.
        B.Silo.Freeze();
        Assert.Equal(ChannelStatus.Ongoing, opened.State.Status);
        try
        {
            ChannelReport silent = await A.WaitAsync(channel, r => r.State.IsDisconnected, "disconnected", TimeSpan.FromSeconds(60));
            Assert.False(silent.State.IsFinal);
        }
        finally
        {
            B.Silo.Thaw();
        }

        Assert.Equal(ChannelStatus.Completed, (await A.WaitAsync(channel, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2))).State.Status);

        // A stranger's malformed or unknown requests get a 400 with a sentence; the silo goes on serving.
        var bad = await Assert.ThrowsAsync<BlobProtocolException>(() => a.ShowAsync(new ChannelRef(424242)));
        Assert.Equal(BlobStatus.NotFound, bad.Status);
        await using TransferClient wrongToken = await TransferClient.ConnectAsync(A.Ticket, "wrong");
        var refused = await Assert.ThrowsAsync<BlobProtocolException>(() => wrongToken.ListAsync());
        Assert.Equal(BlobStatus.Unauthorized, refused.Status);
        Assert.Single(await a.ListAsync());
    }

    [Fact]
    public async Task Malformed_and_unknown_transfer_messages_get_a_400_with_a_sentence_and_change_nothing()
    {
        var cases = new (string Case, MetadataBlock Block, string Expected)[]
        {
            ("no op", new MetadataBlock([new("id", 1L)]), "needs an 'op'"),
            ("unknown op", new MetadataBlock([new("op", "teleport"), new("id", 1L)]), "'teleport' is not a transfer message"),
            ("open without a direction", new MetadataBlock([new("op", "open"), new("id", 1L)]), "'dir' must be push or pull"),
            ("negative id", new MetadataBlock([new("op", "pause"), new("id", -5L)]), "non-negative 'id'"),
            ("control for no channel", new TransferControl(99, TransferControlKind.Pause).ToBlock(), "keeps no channel"),
            ("a reply sent as a request", new TransferVoucherResultMessage(3, new VoucherResult("x", true, "ok")).ToBlock(), "sent only as a reply"),
            ("voucher over 8 KiB", new MetadataBlock([new("op", "voucher"), new("id", 1L), new("voucher-type", "x"), new("voucher", new byte[9000])]), "the most accepted is 8192"),
        };

        using var identity = Granary.Transport.NodeIdentity.CreateEphemeral();
        await using var endpoint = Granary.Transport.QuicEndpoint.Bind(new Granary.Transport.QuicEndpointOptions { Identity = identity, Bind = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) });
        await using Granary.Transport.QuicConnection connection = await endpoint.ConnectAsync(A.Ticket.Address, A.Ticket.Node, TransferProtocol.Alpn);
        foreach ((string name, MetadataBlock block, string expected) in cases)
        {
            await using Granary.Transport.QuicStream stream = await connection.OpenBidirectionalStreamAsync();
            await block.WriteAsync(stream, default);
            stream.CompleteWrites();
            var error = await Assert.ThrowsAnyAsync<BlobProtocolException>(() => BlobReply.ReadAsync<OkReply>(stream, default));
            Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: '{error.Message}'");
            Assert.True(error.Status is BlobStatus.BadRequest or BlobStatus.NotFound, $"{name}: {error.Status}");
        }

        // The silo still serves, and nothing was kept from the garbage.
        await using TransferClient a = await A.TransfersAsync();
        Assert.Empty(await a.ListAsync());
    }

    /// <summary>The channel keeps <paramref name="status"/> and its byte counts do not move for 2 s.</summary>
    private async Task AssertStillAsync(ChannelRef channel, ChannelStatus status)
    {
        // Let the piece in flight land first.
        await Task.Delay(500);
        ChannelReport before = await A.ShowAsync(channel);
        await Task.Delay(2000);
        ChannelReport after = await A.ShowAsync(channel);
        Assert.Equal((status, before.State.Received), (after.State.Status, after.State.Received));
        Assert.True(after.State.Received < Big, "the channel finished before it could be checked paused");
    }
}
