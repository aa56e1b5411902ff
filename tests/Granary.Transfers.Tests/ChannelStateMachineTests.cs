using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Transfers.Tests;

/// <summary>
/// The state machine against its specification: every (status, event) pair from a table written
/// out here by hand (the product builds its table from go-fsm-style rules; two forms of one
/// specification, so a slip in either shows), then what the events carry.
/// </summary>
public sealed class ChannelStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    // Columns are the events in this order; a cell is the next status, '=' for "recorded, status
    // unchanged", '-' for "refused". Abbreviations: see Status().
    private static readonly ChannelEvent[] Columns =
    [
        ChannelEvent.Open, ChannelEvent.Accept, ChannelEvent.Restart, ChannelEvent.DataReceived, ChannelEvent.DataSent,
        ChannelEvent.DataQueued, ChannelEvent.Cancel, ChannelEvent.Error, ChannelEvent.CleanupComplete, ChannelEvent.NewVoucher,
        ChannelEvent.NewVoucherResult, ChannelEvent.PauseInitiator, ChannelEvent.ResumeInitiator, ChannelEvent.PauseResponder,
        ChannelEvent.ResumeResponder, ChannelEvent.FinishTransfer, ChannelEvent.ResponderCompletes,
        ChannelEvent.ResponderBeginsFinalization, ChannelEvent.BeginFinalizing, ChannelEvent.Disconnected, ChannelEvent.Complete,
    ];

    //                         Open Acc  Rst  DRcv DSnt DQue Cncl Err  Clup NewV NVR  PauI ResI PauR ResR Fin  RCmp RBF  BFin Disc Cmpl
    private const string Table = """
        Requested              =    Ong  =    =    =    =    Cnlg Flg  -    =    =    -    -    -    -    -    -    -    -    =    -
        Ongoing                -    -    =    =    =    =    Cnlg Flg  -    =    =    IPau =    RPau =    TFin RCmp RFzg Fzg  =    Cmpg
        TransferFinished       -    -    =    =    =    =    Cnlg Flg  -    =    =    -    -    -    -    -    Cmpg RFTF -    =    Cmpg
        ResponderCompleted     -    -    =    =    =    =    Cnlg Flg  -    =    =    -    -    -    -    Cmpg -    -    -    =    Cmpg
        Finalizing             -    -    =    =    =    =    Cnlg Flg  -    =    =    -    -    -    Cmpg -    -    -    -    =    Cmpg
        Completing             -    -    -    =    =    =    -    Flg  Cmpd -    -    -    -    -    -    -    -    -    -    =    -
        Completed              -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
        Failing                -    -    -    =    =    =    -    =    Fld  -    -    -    -    -    -    -    -    -    -    =    -
        Failed                 -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
        Cancelling             -    -    -    =    =    =    =    Flg  Cnld -    -    -    -    -    -    -    -    -    -    =    -
        Cancelled              -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
        InitiatorPaused        -    -    =    =    =    =    Cnlg Flg  -    =    =    =    Ong  BPau =    TFin RCmp RFzg Fzg  =    -
        ResponderPaused        -    -    =    =    =    =    Cnlg Flg  -    =    =    BPau =    =    Ong  TFin RCmp RFzg Fzg  =    -
        BothPaused             -    -    =    =    =    =    Cnlg Flg  -    =    =    =    RPau =    IPau TFin RCmp RFzg Fzg  =    -
        ResponderFinalizing    -    -    =    =    =    =    Cnlg Flg  -    =    =    -    -    -    -    RFTF RCmp -    -    =    -
        ResponderFinalizingTransferFinished - - = = = =    Cnlg Flg  -    =    =    -    -    -    -    -    Cmpg -    -    =    -
        """;

    public static TheoryData<ChannelStatus, ChannelEvent, string> Cells()
    {
        var cells = new TheoryData<ChannelStatus, ChannelEvent, string>();
        foreach (string line in Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Columns.Length + 1, words.Length);
            for (int column = 0; column < Columns.Length; column++)
            {
                cells.Add(Enum.Parse<ChannelStatus>(words[0]), Columns[column], words[column + 1]);
            }
        }

        return cells;
    }

    [Fact]
    public void The_table_covers_every_status_and_every_event()
    {
        var rows = Cells().Select(c => (ChannelStatus)c[0]).Distinct().ToHashSet();
        Assert.Equal(Enum.GetValues<ChannelStatus>().ToHashSet(), rows);
        Assert.Equal(Enum.GetValues<ChannelEvent>().ToHashSet(), Columns.ToHashSet());
        Assert.Equal(Enum.GetValues<ChannelStatus>().Length * Enum.GetValues<ChannelEvent>().Length, Cells().Count);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Each_status_and_event_leads_where_the_table_says(ChannelStatus from, ChannelEvent input, string cell)
    {
        ChannelState state = Channel() with { Status = from };
        ChannelStep step = ChannelStateMachine.Apply(state, Input(input));
        switch (cell)
        {
            case "-":
                Assert.False(step.Applied, $"{input} in {from} should be refused");
                Assert.Same(state, step.State);
                Assert.Contains(input.ToString(), step.Refusal!, StringComparison.Ordinal);
                Assert.Contains(from.ToString(), step.Refusal!, StringComparison.Ordinal);
                break;
            case "=":
                Assert.True(step.Applied, step.Refusal);
                Assert.Equal(from, step.State.Status);
                break;
            default:
                Assert.True(step.Applied, step.Refusal);
                Assert.Equal(Status(cell), step.State.Status);
                break;
        }
    }

    [Fact]
    public void Data_events_add_up_and_clear_a_disconnect_and_the_restart_count()
    {
        ChannelState state = Apply(Channel(), ChannelEvent.Accept);
        state = Apply(state, ChannelEvent.Disconnected, message: "the responder's silo went away");
        Assert.True(state.IsDisconnected);
        Assert.Equal("the responder's silo went away", state.Message);
        Assert.Equal(ChannelStatus.Ongoing, state.Status);

        state = Apply(state, ChannelEvent.Restart);
        state = Apply(state, ChannelEvent.Restart);
        Assert.Equal(2, state.ConsecutiveRestarts);
        Assert.False(state.IsDisconnected);
        Assert.Empty(state.Message);

        state = Apply(state, ChannelEvent.DataReceived, bytes: 16384);
        state = Apply(state, ChannelEvent.DataReceived, bytes: 100);
        state = Apply(state, ChannelEvent.DataSent, bytes: 7);
        state = ChannelStateMachine.Apply(state, new ChannelInput(ChannelEvent.DataQueued, T0.AddMinutes(5)) { Bytes = 9 }).State;
        Assert.Equal((16484L, 7L, 9L, 0), (state.Received, state.Sent, state.Queued, state.ConsecutiveRestarts));
        Assert.Equal(T0.AddMinutes(5), state.Updated);
    }

    [Fact]
    public void Vouchers_and_results_are_kept_in_order()
    {
        var second = new Voucher("granary/grant/1", new byte[] { 2 });
        ChannelState state = Apply(Channel(), ChannelEvent.NewVoucher, voucher: second);
        state = ChannelStateMachine.Apply(state, new ChannelInput(ChannelEvent.NewVoucherResult, T0) { VoucherResult = new("granary/grant/1", false, "expired") }).State;
        Assert.Equal([1, 2], state.Vouchers.Select(v => (int)v.Body.Span[0]));
        Assert.False(Assert.Single(state.VoucherResults).Accepted);
        Assert.Throws<ArgumentException>(() => ChannelStateMachine.Apply(state, new ChannelInput(ChannelEvent.NewVoucher, T0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelStateMachine.Apply(state, new ChannelInput(ChannelEvent.DataSent, T0) { Bytes = -1 }));
    }

    [Fact]
    public void Both_sides_must_resume_a_channel_both_paused()
    {
        ChannelState state = Apply(Channel(), ChannelEvent.Accept);
        state = Apply(state, ChannelEvent.PauseInitiator);
        state = Apply(state, ChannelEvent.PauseResponder);
        Assert.Equal(ChannelStatus.BothPaused, state.Status);
        state = Apply(state, ChannelEvent.ResumeInitiator);
        Assert.Equal(ChannelStatus.ResponderPaused, state.Status);
        state = Apply(state, ChannelEvent.ResumeInitiator);
        Assert.Equal(ChannelStatus.ResponderPaused, state.Status);
        state = Apply(state, ChannelEvent.ResumeResponder);
        Assert.Equal(ChannelStatus.Ongoing, state.Status);
    }

    [Fact]
    public void A_pull_runs_from_request_to_completed_and_then_takes_nothing()
    {
        ChannelState state = Channel();
        foreach (ChannelEvent input in new[] { ChannelEvent.Accept, ChannelEvent.DataReceived, ChannelEvent.FinishTransfer, ChannelEvent.ResponderCompletes, ChannelEvent.CleanupComplete })
        {
            state = Apply(state, input, bytes: input == ChannelEvent.DataReceived ? 1 << 20 : 0);
        }

        Assert.Equal(ChannelStatus.Completed, state.Status);
        Assert.True(state.IsFinal);
        ChannelStep late = ChannelStateMachine.Apply(state, Input(ChannelEvent.ResumeResponder));
        Assert.False(late.Applied);
        Assert.Equal("The channel is Completed: it takes no ResumeResponder any more.", late.Refusal);
    }

    [Fact]
    public void Channel_ids_print_and_parse_back_and_name_what_is_wrong()
    {
        ChannelId id = Channel().Id;
        Assert.Equal(id, ChannelId.Parse(id.ToString()));
        Assert.Contains("INITIATOR:RESPONDER:TRANSFERID", Assert.Throws<FormatException>(() => ChannelId.Parse("abc")).Message, StringComparison.Ordinal);
        Assert.Contains("transfer id '-1'", Assert.Throws<FormatException>(() => ChannelId.Parse($"{id.Initiator}:{id.Responder}:-1")).Message, StringComparison.Ordinal);
        Assert.Contains("initiator 'x'", Assert.Throws<FormatException>(() => ChannelId.Parse($"x:{id.Responder}:1")).Message, StringComparison.Ordinal);
    }

    private static ChannelState Channel() =>
        ChannelState.Open(
            new ChannelId(NodeId.FromPublicKey([1]), NodeId.FromPublicKey([2]), 42),
            TransferDirection.Pull,
            Blake3.Hash([7]),
            new Voucher("granary/grant/1", new byte[] { 1 }),
            T0);

    private static ChannelInput Input(ChannelEvent input) => new(input, T0) { Voucher = new Voucher("granary/grant/1", new byte[] { 9 }), VoucherResult = new("granary/grant/1", true, "ok") };

    private static ChannelState Apply(ChannelState state, ChannelEvent input, long bytes = 0, string? message = null, Voucher? voucher = null)
    {
        ChannelStep step = ChannelStateMachine.Apply(state, new ChannelInput(input, T0) { Bytes = bytes, Message = message, Voucher = voucher, VoucherResult = new("granary/grant/1", true, "ok") });
        Assert.True(step.Applied, step.Refusal);
        return step.State;
    }

    private static ChannelStatus Status(string cell) => cell switch
    {
        "Ong" => ChannelStatus.Ongoing,
        "TFin" => ChannelStatus.TransferFinished,
        "RCmp" => ChannelStatus.ResponderCompleted,
        "Fzg" => ChannelStatus.Finalizing,
        "Cmpg" => ChannelStatus.Completing,
        "Cmpd" => ChannelStatus.Completed,
        "Flg" => ChannelStatus.Failing,
        "Fld" => ChannelStatus.Failed,
        "Cnlg" => ChannelStatus.Cancelling,
        "Cnld" => ChannelStatus.Cancelled,
        "IPau" => ChannelStatus.InitiatorPaused,
        "RPau" => ChannelStatus.ResponderPaused,
        "BPau" => ChannelStatus.BothPaused,
        "RFzg" => ChannelStatus.ResponderFinalizing,
        "RFTF" => ChannelStatus.ResponderFinalizingTransferFinished,
        _ => throw new ArgumentException($"'{cell}' is not a status abbreviation of the table"),
    };
}
