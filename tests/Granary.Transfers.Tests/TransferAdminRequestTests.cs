using System.Net;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using static Granary.Transfers.Tests.Samples;

namespace Granary.Transfers.Tests;

/// <summary>Every admin request of the cluster's own client through its frame and back with its token, and the malformed ones refused with a sentence naming the field.</summary>
public sealed class TransferAdminRequestTests
{
    private static readonly Voucher Grant = new("granary/grant/1", new byte[] { 1, 2, 3 });
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("s3cret-token");

    public static TheoryData<TransferAdminRequest> Requests() =>
    [
        new TransferStartRequest(TransferDirection.Pull, [Ticket(4001), Ticket(4002)], Dataset, Grant) { KeepPartial = true, Token = Secret },
        new TransferStartRequest(TransferDirection.Push, [.. Enumerable.Range(4001, TransferStartRequest.MaxPeers).Select(Ticket)], Dataset, Grant),
        new TransferListRequest { Token = Secret },
        new TransferShowRequest(new ChannelRef(5)) { Token = Secret },
        new TransferShowRequest(new ChannelRef(long.MaxValue, Partner)),
        new TransferWatchRequest(null) { Token = Secret },
        new TransferWatchRequest(new ChannelRef(6, Partner)),
        new TransferCommandRequest(new ChannelRef(7), TransferCommand.Pause),
        new TransferCommandRequest(new ChannelRef(7), TransferCommand.Resume),
        new TransferCommandRequest(new ChannelRef(7, Partner), TransferCommand.Restart),
        new TransferCommandRequest(new ChannelRef(7), TransferCommand.Cancel) { Token = Secret },
        new TransferNewVoucherRequest(new ChannelRef(8), Grant) { Token = Secret },
        new GrantIssueRequest(Partner, TransferDirection.Pull, [Dataset, Blake3.Hash([4])], 1L << 30, Now) { Token = Secret },
        new GrantIssueRequest(Us, TransferDirection.Push, [.. Enumerable.Range(0, Vouchers.Grant.MaxHashes).Select(i => Blake3.Hash(BitConverter.GetBytes(i)))], 1, Now.AddDays(365)),
    ];

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Each_request_reads_back_as_itself_with_its_token(TransferAdminRequest request)
    {
        TransferAdminRequest back = TransferAdminRequest.Parse(await Wire.ThroughAsync(request.ToBlock()));

        Assert.Equal(request.GetType(), back.GetType());
        Assert.Equal(request.Operation, back.Operation);
        Assert.Equal(request.Token.ToArray(), back.Token.ToArray());
        Assert.Equal(request.TokenText, back.TokenText);
        Assert.Equal(request.ToBlock().ToFrame(), back.ToBlock().ToFrame());
    }

    [Fact]
    public async Task The_typed_fields_survive_not_only_the_bytes()
    {
        var start = (TransferStartRequest)TransferAdminRequest.Parse(await Wire.ThroughAsync(new TransferStartRequest(TransferDirection.Pull, [Ticket(4001)], Dataset, Grant) { KeepPartial = true, Token = Secret }.ToBlock()));
        Assert.Equal((TransferDirection.Pull, Dataset, true, "s3cret-token"), (start.Direction, start.Base, start.KeepPartial, start.TokenText));
        Assert.Equal(Ticket(4001), start.Peers.Single());
        Assert.Equal(Grant.Type, start.Voucher.Type);
        Assert.Equal(Grant.Body.ToArray(), start.Voucher.Body.ToArray());

        var command = (TransferCommandRequest)TransferAdminRequest.Parse(await Wire.ThroughAsync(new TransferCommandRequest(new ChannelRef(9, Partner), TransferCommand.Restart).ToBlock()));
        Assert.Equal((new ChannelRef(9, Partner), TransferCommand.Restart), (command.Channel, command.Command));
        Assert.Equal(0, command.Token.Length);

        var watchAll = (TransferWatchRequest)TransferAdminRequest.Parse(await Wire.ThroughAsync(new TransferWatchRequest(null).ToBlock()));
        Assert.Null(watchAll.Channel);

        var grant = (GrantIssueRequest)TransferAdminRequest.Parse(await Wire.ThroughAsync(new GrantIssueRequest(Partner, TransferDirection.Push, [Dataset], 1000, Now.AddTicks(5)).ToBlock()));
        Assert.Equal((Partner, TransferDirection.Push, 1000L, Now), (grant.Counterparty, grant.Direction, grant.ByteQuota, grant.Expires));
        Assert.Equal(Dataset, grant.Hashes.Single());
    }

    [Fact]
    public void Ops_names_every_kind_of_request_and_no_peer_message()
    {
        Assert.Equal(((IEnumerable<object[]>)Requests()).Select(row => ((TransferAdminRequest)row[0]).Operation).ToHashSet(), TransferAdminRequest.Ops.ToHashSet());
        Assert.DoesNotContain(TransferOpen.Op, TransferAdminRequest.Ops);
        Assert.DoesNotContain(TransferVoucherResultMessage.Op, TransferAdminRequest.Ops);
        Assert.Empty(TransferAdminRequest.Ops.Intersect(TransferControl.Ops));
    }

    public static TheoryData<string, Dictionary<string, object>, string> Malformed() => new()
    {
        { "unknown op", Fields(new TransferListRequest(), ("op", "frobnicate")), "'frobnicate' is not a transfer request" },
        { "no peers", Fields(Start(), ("peers", new List<object>())), "1 to 16 silos of the other side, not 0" },
        { "17 peers", Fields(Start(), ("peers", MetadataBlock.TicketsField(Enumerable.Range(4001, 17).Select(Ticket)))), "1 to 16 silos of the other side, not 17" },
        { "a peer that is not a ticket", Fields(Start(), ("peers", new List<object> { "silo-one" })), "'silo-one' is not a silo ticket" },
        { "bad dir", Fields(Start(), ("dir", "sideways")), "'dir' must be push or pull, not 'sideways'" },
        { "start without base", Fields(Start(), ("base", null)), "A start needs the blob's 'base'" },
        { "start without voucher", Fields(Start(), ("voucher", null)), "needs a 'voucher'" },
        { "oversized voucher", Fields(new TransferNewVoucherRequest(new ChannelRef(1), Grant), ("voucher", new byte[Voucher.MaxBodyBytes + 1])), "the most accepted is 8192" },
        { "show without id", Fields(new TransferShowRequest(new ChannelRef(1)), ("id", null)), "needs the channel's transfer 'id' (0 or more)" },
        { "negative id", Fields(new TransferShowRequest(new ChannelRef(1)), ("id", -1L)), "needs the channel's transfer 'id' (0 or more)" },
        { "id as text", Fields(new TransferShowRequest(new ChannelRef(1)), ("id", "one")), "'id' must be an integer" },
        { "bad initiator", Fields(new TransferShowRequest(new ChannelRef(1, Partner)), ("initiator", "nobody")), "'initiator' 'nobody' is not a node id" },
        { "watch with bad initiator", Fields(new TransferWatchRequest(new ChannelRef(1, Partner)), ("initiator", "nobody")), "'initiator' 'nobody' is not a node id" },
        { "unknown command", Fields(new TransferCommandRequest(new ChannelRef(1), TransferCommand.Pause), ("command", "explode")), "'explode' is not a channel command (pause, resume, restart, cancel)" },
        { "command in capitals", Fields(new TransferCommandRequest(new ChannelRef(1), TransferCommand.Pause), ("command", "Pause")), "'Pause' is not a channel command" },
        { "no command", Fields(new TransferCommandRequest(new ChannelRef(1), TransferCommand.Pause), ("command", null)), "is not a channel command" },
        { "grant without peer", Fields(Issue(), ("peer", null)), "needs the 'peer' it is for" },
        { "grant for a bad peer", Fields(Issue(), ("peer", "nobody")), "'peer' 'nobody' is not a node id" },
        { "grant with bad dir", Fields(Issue(), ("dir", "both")), "'dir' must be push or pull, not 'both'" },
        { "no hashes", Fields(Issue(), ("hashes", new List<object>())), "needs 1 to 256 'hashes'" },
        { "hashes missing", Fields(Issue(), ("hashes", null)), "needs 1 to 256 'hashes'" },
        { "hashes not a list", Fields(Issue(), ("hashes", Dataset.ToArray())), "needs 1 to 256 'hashes'" },
        { "257 hashes", Fields(Issue(), ("hashes", Enumerable.Range(0, 257).Select(i => (object)Blake3.Hash(BitConverter.GetBytes(i)).ToArray()).ToList())), "needs 1 to 256 'hashes'" },
        { "a short hash", Fields(Issue(), ("hashes", new List<object> { Dataset.ToArray(), new byte[31] })), "Each of 'hashes' must be 32 bytes" },
        { "a number for a hash", Fields(Issue(), ("hashes", new List<object> { 5L })), "Each of 'hashes' must be 32 bytes" },
        { "zero quota", Fields(Issue(), ("quota", 0L)), "needs a positive byte 'quota'" },
        { "negative quota", Fields(Issue(), ("quota", -1L)), "needs a positive byte 'quota'" },
        { "no quota", Fields(Issue(), ("quota", null)), "needs a positive byte 'quota'" },
        { "no expiry", Fields(Issue(), ("expires", null)), "needs 'expires'" },
        { "token as a number", Fields(new TransferListRequest(), ("token", 5L)), "'token' must be a string of bytes" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_request_is_refused_with_a_sentence_naming_the_field(string name, Dictionary<string, object> fields, string words)
    {
        MetadataBlock block = await Wire.ThroughAsync(new MetadataBlock(fields));
        var error = Assert.Throws<TransferProtocolException>(() => TransferAdminRequest.Parse(block));
        Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"{name}: {error.Message}");
        Assert.DoesNotContain("Parameter", error.Message, StringComparison.Ordinal);
    }

    private static TransferStartRequest Start() => new(TransferDirection.Push, [Ticket(4001)], Dataset, Grant);

    private static GrantIssueRequest Issue() => new(Partner, TransferDirection.Pull, [Dataset], 1000, Now);

    private static Dictionary<string, object> Fields(TransferAdminRequest request, params (string Key, object? Value)[] changes) =>
        Wire.Edited(request.ToBlock(), changes);

    private static SiloTicket Ticket(int port) => new(Partner, new IPEndPoint(IPAddress.Loopback, port));
}
