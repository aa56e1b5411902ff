using System.Security.Cryptography;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>
/// Both sides of a channel driven by each other's messages, with no network: every message goes
/// through its wire form, each side keeps its own state, and they must agree at every step.
/// </summary>
public sealed class ChannelProtocolTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly VoucherRegistry _vouchers;

    public ChannelProtocolTests() => _vouchers = new VoucherRegistry().Register(new GrantValidator([_key]));

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_pull_over_its_quota_pauses_at_the_limit_on_both_sides_and_a_new_grant_lets_it_finish()
    {
        const long size = 10_000;
        var open = new TransferOpen(1, TransferDirection.Pull, Dataset, 0, Grant(quota: 4_000));
        ChannelState initiator = ChannelState.Open(new ChannelId(Partner, Us, 1), TransferDirection.Pull, Dataset, open.Voucher, Now);

        ResponderDecision decision = ChannelResponder.Decide(await Wire(open), Partner, Us, size, _vouchers, Now);
        ChannelState responder = decision.State;
        initiator = ChannelProtocol.OnVoucherResult(initiator, await Wire(decision.Reply), Now);
        Assert.Equal((ChannelStatus.Ongoing, ChannelStatus.Ongoing), (initiator.Status, responder.Status));
        Assert.Equal((4_000L, 4_000L), (initiator.DataLimit!.Value, responder.DataLimit!.Value));

        // The responder sends in 1500-byte pieces; at 4500 ≥ 4000 both sides pause.
        bool reached = false;
        for (int piece = 0; !reached; piece++)
        {
            Assert.True(piece < 10, "the data limit never paused the channel");
            (responder, reached) = ChannelProtocol.OnData(responder, ChannelEvent.DataSent, 1_500, Now);
            (initiator, bool seen) = ChannelProtocol.OnData(initiator, ChannelEvent.DataReceived, 1_500, Now);
            Assert.Equal(reached, seen);
        }

        Assert.Equal((ChannelStatus.ResponderPaused, ChannelStatus.ResponderPaused), (initiator.Status, responder.Status));
        Assert.Equal((4_500L, 4_500L), (initiator.Received, responder.Sent));
        Assert.Contains("data limit of 4,000 bytes", responder.Message, StringComparison.Ordinal);

        // The initiator sends a larger grant; the responder's validator accepts it and both go on.
        var renewal = new TransferVoucherMessage(1, Grant(quota: 20_000));
        VoucherValidation validation = _vouchers.Validate(new ChannelRequest(responder.Id, Partner, TransferDirection.Pull, Dataset, size, (await Wire(renewal)).Voucher, Now), restart: false);
        Assert.True(validation.Accepted, validation.Result.Message);
        var answer = new TransferVoucherResultMessage(1, validation.Result) { DataLimit = validation.DataLimit };
        responder = ChannelStateMachine.Apply(responder, new ChannelInput(ChannelEvent.NewVoucher, Now) { Voucher = renewal.Voucher }).State;
        responder = ChannelStateMachine.Apply(responder, new ChannelInput(ChannelEvent.ResumeResponder, Now)).State with { DataLimit = validation.DataLimit };
        initiator = ChannelProtocol.OnVoucherResult(initiator, await Wire(answer), Now);
        Assert.Equal((ChannelStatus.Ongoing, ChannelStatus.Ongoing), (initiator.Status, responder.Status));
        Assert.Empty(initiator.Message);

        (responder, reached) = ChannelProtocol.OnData(responder, ChannelEvent.DataSent, size - 4_500, Now);
        (initiator, _) = ChannelProtocol.OnData(initiator, ChannelEvent.DataReceived, size - 4_500, Now);
        Assert.False(reached);

        // The initiator has everything and says so; the responder completes; both clean up.
        var finish = new TransferControl(1, TransferControlKind.Finish);
        initiator = ChannelStateMachine.Apply(initiator, new ChannelInput(ChannelEvent.FinishTransfer, Now)).State;
        responder = ChannelStateMachine.Apply(responder, new ChannelInput(ChannelProtocol.EventOf(await Wire(finish), fromInitiator: true), Now)).State;
        var complete = new TransferControl(1, TransferControlKind.Complete);
        initiator = ChannelStateMachine.Apply(initiator, new ChannelInput(ChannelProtocol.EventOf(await Wire(complete), fromInitiator: false), Now)).State;
        responder = ChannelStateMachine.Apply(responder, new ChannelInput(ChannelEvent.Complete, Now)).State;
        initiator = ChannelStateMachine.Apply(initiator, new ChannelInput(ChannelEvent.CleanupComplete, Now)).State;
        responder = ChannelStateMachine.Apply(responder, new ChannelInput(ChannelEvent.CleanupComplete, Now)).State;

        Assert.Equal((ChannelStatus.Completed, ChannelStatus.Completed), (initiator.Status, responder.Status));
        Assert.Equal((size, size), (initiator.Received, responder.Sent));
    }

    [Fact]
    public async Task A_refused_open_fails_both_sides_with_the_same_sentence()
    {
        var open = new TransferOpen(2, TransferDirection.Push, Dataset, 10, Grant(quota: 100));
        ChannelState initiator = ChannelState.Open(new ChannelId(Partner, Us, 2), TransferDirection.Push, Dataset, open.Voucher, Now);
        ResponderDecision decision = ChannelResponder.Decide(await Wire(open), Partner, Us, 10, _vouchers, Now);
        initiator = ChannelProtocol.OnVoucherResult(initiator, await Wire(decision.Reply), Now);

        Assert.Equal((ChannelStatus.Failed, ChannelStatus.Failed), (initiator.Status, decision.State.Status));
        Assert.Equal("The grant allows pull, not push.", initiator.Message);
        Assert.Equal(initiator.Message, decision.State.Message);
    }

    [Theory]
    [InlineData(TransferControlKind.Finish, false)]
    [InlineData(TransferControlKind.Complete, true)]
    public void A_control_message_from_the_wrong_side_is_a_protocol_error(TransferControlKind kind, bool fromInitiator)
    {
        var error = Assert.Throws<TransferProtocolException>(() => ChannelProtocol.EventOf(new TransferControl(1, kind), fromInitiator));
        Assert.Contains($"may not send '{kind.ToString().ToLowerInvariant()}'", error.Message, StringComparison.Ordinal);
    }

    private Voucher Grant(long quota) => Terms(TransferDirection.Pull, quota).SignWith(_key).ToVoucher();

    /// <summary>The message as the other side reads it off the wire.</summary>
    private static async Task<T> Wire<T>(T message)
        where T : TransferMessage
    {
        using var stream = new MemoryStream(message.ToBlock().ToFrame());
        return (T)TransferMessage.Parse((await Granary.Blobs.Protocol.MetadataBlock.ReadAsync(stream, CancellationToken.None))!);
    }
}
