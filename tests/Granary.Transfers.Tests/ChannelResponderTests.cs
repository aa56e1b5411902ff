using System.Security.Cryptography;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>The responder's decision on an open, without IO: the state it persists and the reply it sends, through the wire form.</summary>
public sealed class ChannelResponderTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly VoucherRegistry _vouchers;

    public ChannelResponderTests() => _vouchers = new VoucherRegistry().Register(new GrantValidator([_key]));

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_pull_under_a_valid_grant_is_accepted_and_the_channel_is_ongoing()
    {
        var open = new TransferOpen(5, TransferDirection.Pull, Dataset, 0, Grant(TransferDirection.Pull, quota: 1 << 30));
        ResponderDecision decision = ChannelResponder.Decide(open, Partner, Us, size: 4096, _vouchers, Now);

        Assert.Equal(ChannelStatus.Ongoing, decision.State.Status);
        Assert.Equal(new ChannelId(Partner, Us, 5), decision.State.Id);
        Assert.True(decision.Reply.Result.Accepted);
        Assert.Null(decision.Reply.DataLimit);
        Assert.Single(decision.State.VoucherResults);
        Assert.Equal(decision.Reply.ToBlock().ToFrame(), TransferMessage.Parse(await WireAsync(decision.Reply)).ToBlock().ToFrame());
    }

    [Fact]
    public void A_blob_over_the_quota_is_accepted_with_the_limit_in_the_state_and_the_reply()
    {
        var open = new TransferOpen(6, TransferDirection.Pull, Dataset, 0, Grant(TransferDirection.Pull, quota: 1000));
        ResponderDecision decision = ChannelResponder.Decide(open, Partner, Us, size: 5000, _vouchers, Now);
        Assert.Equal((1000L, 1000L), (decision.State.DataLimit!.Value, decision.Reply.DataLimit!.Value));
    }

    [Fact]
    public void A_refused_voucher_fails_the_channel_with_the_validators_sentence()
    {
        // The grant allows pull; the peer asks to push.
        var open = new TransferOpen(7, TransferDirection.Push, Dataset, 10, Grant(TransferDirection.Pull, quota: 1000));
        ResponderDecision decision = ChannelResponder.Decide(open, Partner, Us, size: 10, _vouchers, Now);

        Assert.Equal(ChannelStatus.Failed, decision.State.Status);
        Assert.False(decision.Reply.Result.Accepted);
        Assert.Equal("The grant allows pull, not push.", decision.State.Message);
        Assert.Equal(decision.State.Message, decision.Reply.Result.Message);
    }

    [Fact]
    public void An_unknown_voucher_type_is_refused_naming_the_known_ones()
    {
        var open = new TransferOpen(8, TransferDirection.Pull, Dataset, 0, new Voucher("acme/token", new byte[] { 1 }));
        ResponderDecision decision = ChannelResponder.Decide(open, Partner, Us, size: 10, _vouchers, Now);
        Assert.Equal(ChannelStatus.Failed, decision.State.Status);
        Assert.Equal("No validator for voucher type 'acme/token' is registered here (known: granary/grant/1).", decision.Reply.Result.Message);
        Assert.Throws<ArgumentException>(() => new VoucherRegistry().Register(new GrantValidator([_key])).Register(new GrantValidator([_key])));
    }

    [Fact]
    public void A_grant_used_by_another_node_is_refused_because_the_peer_comes_from_the_connection()
    {
        // The message is the same; only the proven peer differs.
        var open = new TransferOpen(9, TransferDirection.Pull, Dataset, 0, Grant(TransferDirection.Pull, quota: 1000));
        ResponderDecision decision = ChannelResponder.Decide(open, NodeId.FromPublicKey([7]), Us, size: 10, _vouchers, Now);
        Assert.Equal(ChannelStatus.Failed, decision.State.Status);
        Assert.Contains("cannot be used by another node", decision.Reply.Result.Message, StringComparison.Ordinal);
    }

    private Voucher Grant(TransferDirection direction, long quota) => Terms(direction, quota).SignWith(_key).ToVoucher();

    private static async Task<Granary.Blobs.Protocol.MetadataBlock> WireAsync(TransferMessage message)
    {
        using var stream = new MemoryStream(message.ToBlock().ToFrame());
        return (await Granary.Blobs.Protocol.MetadataBlock.ReadAsync(stream, CancellationToken.None))!;
    }
}
