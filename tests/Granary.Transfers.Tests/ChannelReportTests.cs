using System.Net;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>A channel report through its reply frame: every field it carries comes back, the bounded ones bounded, and a report naming no known status or event is refused.</summary>
public sealed class ChannelReportTests
{
    [Fact]
    public async Task A_responder_report_with_every_field_set_reads_back_field_by_field()
    {
        ChannelState state = new()
        {
            Id = new ChannelId(Partner, Us, 4_000_000_000_123),
            Direction = TransferDirection.Push,
            Base = Dataset,
            Status = ChannelStatus.ResponderPaused,
            Message = "paused at the data limit",
            IsDisconnected = true,
            Sent = 11,
            Received = 22_000_000_000,
            Queued = 33,
            DataLimit = 1L << 30,
            ConsecutiveRestarts = 3,
            Vouchers = [new Voucher("granary/grant/1", new byte[] { 1 }), new Voucher("granary/token/1", new byte[] { 2 })],
            VoucherResults = [new VoucherResult("granary/grant/1", true, "Granted."), new VoucherResult("granary/token/1", false, "Wrong token.")],
            Updated = Now.AddTicks(1234),
        };
        var terms = new ChannelTerms { Size = 5_000_000_000, Peers = [Ticket(4001), Ticket(4002)], KeepPartial = true };
        var report = new ChannelReport(ChannelSide.Responder, state, terms) { Sequence = 17, Event = ChannelEvent.PauseResponder };

        ChannelReport back = await ThroughWireAsync(report);

        Assert.Equal(ChannelSide.Responder, back.Side);
        Assert.Equal(state.Id, back.State.Id);
        Assert.Equal(TransferDirection.Push, back.State.Direction);
        Assert.Equal(Dataset, back.State.Base);
        Assert.Equal(ChannelStatus.ResponderPaused, back.State.Status);
        Assert.Equal("paused at the data limit", back.State.Message);
        Assert.True(back.State.IsDisconnected);
        Assert.Equal((11L, 22_000_000_000L, 33L), (back.State.Sent, back.State.Received, back.State.Queued));
        Assert.Equal(1L << 30, back.State.DataLimit);
        Assert.Equal(3, back.State.ConsecutiveRestarts);
        Assert.Equal(new[] { "granary/grant/1", "granary/token/1" }, back.State.Vouchers.Select(v => v.Type));
        Assert.All(back.State.Vouchers, v => Assert.True(v.Body.IsEmpty, "voucher bodies stay on the silo"));
        Assert.Equal(state.VoucherResults, back.State.VoucherResults);
        Assert.Equal(Now, back.State.Updated); // milliseconds on the wire: the 123.4 µs are gone
        Assert.Equal(5_000_000_000L, back.Terms.Size);
        Assert.Equal(terms.Peers, back.Terms.Peers);
        Assert.True(back.Terms.KeepPartial);
        Assert.Equal(17, back.Sequence);
        Assert.Equal(ChannelEvent.PauseResponder, back.Event);
        Assert.Equal(new ChannelRef(4_000_000_000_123, Partner), back.Ref);
        Assert.Equal(report.ToBlock().ToFrame(), back.ToBlock().ToFrame());
    }

    [Fact]
    public async Task An_initiator_report_without_limit_or_event_reads_back_with_them_absent()
    {
        ChannelState state = ChannelState.Open(new ChannelId(Us, Partner, 0), TransferDirection.Pull, Dataset, new Voucher("granary/grant/1", new byte[] { 9 }), Now);
        var report = new ChannelReport(ChannelSide.Initiator, state with { Received = 4096 }, new ChannelTerms { Peers = [Ticket(4001)] });

        ChannelReport back = await ThroughWireAsync(report);

        Assert.Equal((ChannelSide.Initiator, TransferDirection.Pull, ChannelStatus.Requested), (back.Side, back.State.Direction, back.State.Status));
        Assert.Null(back.State.DataLimit);
        Assert.Null(back.Event);
        Assert.Equal(0, back.Sequence);
        Assert.False(back.State.IsDisconnected);
        Assert.False(back.Terms.KeepPartial);
        Assert.Empty(back.State.VoucherResults);
        Assert.Equal(new ChannelRef(0), back.Ref);
        Assert.True(back.IsReceiver);
        Assert.Equal(4096, back.Moved);
        Assert.Empty(back.State.Paths);
        Assert.Equal(["logs/", "a.txt"], (await ThroughWireAsync(report with { State = state with { Paths = ["logs/", "a.txt"] } })).State.Paths);
    }

    [Fact]
    public async Task A_report_carries_the_last_four_results_the_first_eight_peers_and_a_clipped_message()
    {
        VoucherResult[] results = [.. Enumerable.Range(1, 6).Select(i => new VoucherResult($"type/{i}", i % 2 == 0, $"result {i}"))];
        SiloTicket[] peers = [.. Enumerable.Range(4001, 10).Select(Ticket)];
        ChannelState state = ChannelState.Open(new ChannelId(Us, Partner, 1), TransferDirection.Push, Dataset, new Voucher("v", ReadOnlyMemory<byte>.Empty), Now)
            with { VoucherResults = results, Message = new string('m', 3000) };

        ChannelReport back = await ThroughWireAsync(new ChannelReport(ChannelSide.Initiator, state, new ChannelTerms { Peers = peers }));

        Assert.Equal(results[^ChannelReport.ReportedResults..], back.State.VoucherResults);
        Assert.Equal(peers[..8], back.Terms.Peers);
        Assert.Equal(new string('m', 1024), back.State.Message);
    }

    public static TheoryData<string, string, object, string> Malformed() => new()
    {
        { "initiator not a node id", "initiator", "nobody", "'initiator' must be a node id" },
        { "responder not a node id", "responder", "nobody", "'responder' must be a node id" },
        { "negative id", "id", -1L, "'id' must be a transfer id" },
        { "short base", "base", new byte[] { 1, 2 }, "'base' must be a 32-byte BLAKE3 hash" },
        { "unknown status", "status-name", "Exploded", "'Exploded' is not a channel status" },
        { "a number for a status", "status-name", "99", "'99' is not a channel status" },
        { "two statuses at once", "status-name", "Ongoing, Failed", "is not a channel status" },
        { "unknown event", "event", "Boom", "'Boom' is not a channel event" },
        { "a number for an event", "event", "77", "'77' is not a channel event" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_report_is_a_400_naming_the_field(string name, string key, object value, string words)
    {
        ChannelState state = ChannelState.Open(new ChannelId(Us, Partner, 1), TransferDirection.Push, Dataset, new Voucher("v", ReadOnlyMemory<byte>.Empty), Now);
        var fields = new Dictionary<string, object>(new ChannelReport(ChannelSide.Initiator, state, new ChannelTerms()).ToBlock().Fields, StringComparer.Ordinal) { [key] = value };

        var error = await Assert.ThrowsAsync<BlobProtocolException>(() => BlobReply.ReadAsync<ChannelReport>(new MemoryStream(new MetadataBlock(fields).ToFrame()), default));

        Assert.Equal(BlobStatus.BadRequest, error.Status);
        Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    private static async Task<ChannelReport> ThroughWireAsync(ChannelReport report) =>
        await BlobReply.ReadAsync<ChannelReport>(new MemoryStream(report.ToBlock().ToFrame()), default);

    private static SiloTicket Ticket(int port) => new(Partner, new IPEndPoint(IPAddress.Loopback, port));
}
