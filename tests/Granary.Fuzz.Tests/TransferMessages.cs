using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;

namespace Granary.Fuzz.Tests;

/// <summary>CsCheck generators of every valid message of <c>granary/transfer/1</c> (channel messages, admin requests, replies) and of grant vouchers, built by the records themselves.</summary>
internal static class TransferMessages
{
    /// <summary>A transfer id (0 to 2^63−1).</summary>
    public static readonly Gen<ulong> TransferId = Gen.Long[0, long.MaxValue].Select(id => (ulong)id);

    /// <summary>A voucher: a type of 1 to 64 characters, a body up to 8 KiB (small mostly).</summary>
    public static readonly Gen<Voucher> Voucher = Gen.Select(
        Gen.Frequency((4, Values.Text(1, 20)), (1, Gen.OneOf(Grant.VoucherType, "granary/token/1"))),
        Gen.Frequency((12, Gen.Byte.Array[0, 256]), (1, Gen.Byte.Array[Granary.Transfers.Channels.Voucher.MaxBodyBytes])),
        (type, body) => new Voucher(type, body));

    /// <summary>A channel selector: 0 to 4 distinct relative paths, some naming directories.</summary>
    public static readonly Gen<string[]> Paths = Gen.Select(Values.Path, Gen.Bool, (path, directory) => directory ? path + "/" : path)
        .Array[0, 4]
        .Select(paths => paths.Distinct(StringComparer.Ordinal).ToArray());

    /// <summary>A direction.</summary>
    public static readonly Gen<TransferDirection> Direction = Gen.Enum<TransferDirection>();

    /// <summary>How a user names a channel.</summary>
    public static readonly Gen<ChannelRef> Ref = Gen.Select(TransferId, Values.Node.Nullable(0.5), (id, node) => new ChannelRef(id, node));

    /// <summary>A sentence of at most 1024 characters, or none.</summary>
    private static readonly Gen<string?> Sentence = Values.Text(1, 120).Null(0.4);

    /// <summary>A validator's answer.</summary>
    public static readonly Gen<TransferVoucherResultMessage> VoucherResult = Gen.Select(
        TransferId, Values.Text(0, 20), Gen.Bool, Values.Text(0, 120), Values.Size.Nullable(0.5), Gen.Bool, Values.Size.Nullable(0.5), Gen.Bool,
        (id, type, accepted, message, limit, paused, size, finalize) => new TransferVoucherResultMessage(id, new VoucherResult(type, accepted, message))
        {
            DataLimit = limit,
            Paused = paused,
            Size = size,
            RequiresFinalization = finalize,
        });

    /// <summary>Every message between the two sides of a channel.</summary>
    public static readonly Gen<TransferMessage> Message = Gen.OneOf<TransferMessage>(
        Gen.Select(TransferId, Direction, Values.Hash, Values.Size, Voucher, Gen.Bool, Paths, (id, direction, @base, size, voucher, restart, paths) =>
            (TransferMessage)new TransferOpen(id, direction, @base, size, voucher) { IsRestart = restart, Paths = paths }),
        Gen.Select(TransferId, Voucher, (id, voucher) => (TransferMessage)new TransferVoucherMessage(id, voucher)),
        VoucherResult.Select(m => (TransferMessage)m),
        Gen.Select(TransferId, Gen.Enum<TransferControlKind>(), Gen.Bool, Sentence, (id, kind, fromInitiator, message) =>
            (TransferMessage)new TransferControl(id, kind) { FromInitiator = fromInitiator, Message = message }));

    /// <summary>Every request of a cluster's own client, with a token.</summary>
    public static readonly Gen<TransferAdminRequest> AdminRequest = Gen.Select(
        Gen.OneOf<TransferAdminRequest>(
            Gen.Select(Direction, Values.Ticket.Array[1, TransferStartRequest.MaxPeers], Values.Hash, Voucher, Paths, Gen.Bool, (direction, peers, @base, voucher, paths, keep) =>
                (TransferAdminRequest)new TransferStartRequest(direction, peers, @base, voucher) { Paths = paths, KeepPartial = keep }),
            Gen.Const<TransferAdminRequest>(new TransferListRequest()),
            Ref.Select(channel => (TransferAdminRequest)new TransferShowRequest(channel)),
            Ref.Nullable(0.3).Select(channel => (TransferAdminRequest)new TransferWatchRequest(channel)),
            Gen.Select(Ref, Gen.Enum<TransferCommand>(), (channel, command) => (TransferAdminRequest)new TransferCommandRequest(channel, command)),
            Gen.Select(Ref, Voucher, (channel, voucher) => (TransferAdminRequest)new TransferNewVoucherRequest(channel, voucher)),
            Gen.Select(Values.Node, Direction, Values.Hash.Array[1, 8], Gen.Long[1, long.MaxValue], Values.Time, (peer, direction, hashes, quota, expires) =>
                (TransferAdminRequest)new GrantIssueRequest(peer, direction, hashes, quota, expires))),
        Values.Opaque,
        (request, token) => request with { Token = token });

    /// <summary>A channel's report as a silo sends it to a client.</summary>
    public static readonly Gen<ChannelReport> Report = Gen.Select(
        Gen.Select(Values.Node, Values.Node, TransferId, Direction, Values.Hash, Paths, Gen.Enum<ChannelStatus>(), Values.Text(0, 80), (initiator, responder, id, direction, @base, paths, status, message) =>
            new ChannelState { Id = new ChannelId(initiator, responder, id), Direction = direction, Base = @base, Paths = paths, Status = status, Message = message }),
        Gen.Select(Gen.Bool, Values.Size, Values.Size, Values.Size, Values.Size.Nullable(0.5), Gen.Int[0, 100], Values.Time, (disconnected, sent, received, queued, limit, restarts, updated) =>
            (Disconnected: disconnected, Sent: sent, Received: received, Queued: queued, Limit: limit, Restarts: restarts, Updated: updated)),
        Gen.Select(Values.Text(1, 20).Array[0, 4], Gen.Select(Values.Text(0, 20), Gen.Bool, Values.Text(0, 60), (t, a, m) => new VoucherResult(t, a, m)).Array[0, ChannelReport.ReportedResults]),
        Gen.Select(Values.Size, Values.Ticket.Array[0, 8], Gen.Bool, (size, peers, keep) => new ChannelTerms { Size = size, Peers = peers, KeepPartial = keep }),
        Gen.Enum<ChannelSide>(),
        Gen.Long[0, long.MaxValue],
        Gen.Enum<ChannelEvent>().Nullable(0.5),
        (state, counters, vouchers, terms, side, sequence, happened) => new ChannelReport(
            side,
            state with
            {
                IsDisconnected = counters.Disconnected,
                Sent = counters.Sent,
                Received = counters.Received,
                Queued = counters.Queued,
                DataLimit = counters.Limit,
                ConsecutiveRestarts = counters.Restarts,
                Updated = counters.Updated,
                Vouchers = [.. vouchers.Item1.Select(type => new Voucher(type, ReadOnlyMemory<byte>.Empty))],
                VoucherResults = vouchers.Item2,
            },
            terms)
        {
            Sequence = sequence,
            Event = happened,
        });

    /// <summary>A grant as its voucher body carries it (the signature is not checked by the decoder, so any 64 bytes do).</summary>
    public static readonly Gen<byte[]> GrantBody = Gen.Select(
        Values.Hash, Values.Node, Direction, Values.Hash.Array[1, 8], Gen.Long[1, long.MaxValue], Values.Time, Gen.Long, Gen.Byte.Array[64],
        (issuer, peer, direction, hashes, quota, expires, nonce, signature) => new Grant
        {
            Issuer = issuer,
            Counterparty = peer,
            Direction = direction,
            Hashes = hashes,
            ByteQuota = quota,
            Expires = expires,
            Nonce = nonce,
            Signature = signature,
        }.ToVoucher().Body.ToArray());

    /// <summary>Every reply kind of the transfer protocol.</summary>
    public static readonly Gen<BlobReply> Reply = Gen.OneOf<BlobReply>(
        Report.Select(r => (BlobReply)r),
        Voucher.Select(v => (BlobReply)new GrantReply(v)),
        VoucherResult.Select(m => (BlobReply)new VoucherResultReply(m)),
        Gen.Const<BlobReply>(SeriesEnd.Instance),
        BlobMessages.Error.Select(e => (BlobReply)e));
}
