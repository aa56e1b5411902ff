using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Transfers.Messages;

/// <summary>
/// One side of a channel as a silo reports it to a client (<c>show</c>, <c>list</c>, <c>watch</c>):
/// the state, the terms, and — in a watch — the event that led to it with its sequence number
/// (events of one channel are numbered from 1, in the order they were applied).
/// </summary>
/// <remarks>
/// Vouchers are reported by type only (their bodies may be kilobytes and stay on the silo), and
/// only the last <see cref="ReportedResults"/> voucher results, so a report fits one metadata block.
/// </remarks>
public sealed record ChannelReport(ChannelSide Side, ChannelState State, ChannelTerms Terms) : BlobReply, IBlobReply<ChannelReport>
{
    /// <summary>Voucher results carried in a report: the last 4.</summary>
    public const int ReportedResults = 4;

    /// <summary>The event's number in the channel's history (a watch); 0 when not an event.</summary>
    public long Sequence { get; init; }

    /// <summary>The event that led to <see cref="State"/> (a watch); null when not an event.</summary>
    public ChannelEvent? Event { get; init; }

    /// <summary>How a user names this channel (<see cref="ChannelRef"/>): the transfer id, or INITIATOR/ID on the responder's side.</summary>
    public ChannelRef Ref => Side == ChannelSide.Initiator ? new ChannelRef(State.Id.TransferId) : new ChannelRef(State.Id.TransferId, State.Id.Initiator);

    /// <summary>True if this side receives the bytes (the initiator of a pull, the responder of a push).</summary>
    public bool IsReceiver => (Side == ChannelSide.Initiator) == (State.Direction == TransferDirection.Pull);

    /// <summary>Bytes this side moved: received if it receives, sent otherwise.</summary>
    public long Moved => IsReceiver ? State.Received : State.Sent;

    /// <inheritdoc/>
    public static ChannelReport Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ChannelState state = new()
        {
            Id = new ChannelId(Node(block, "initiator"), Node(block, "responder"), (ulong)(block.Number("id") is >= 0 and var id ? id : throw Bad("'id' must be a transfer id"))),
            Direction = block.Text("dir") switch
            {
                "push" => TransferDirection.Push,
                "pull" => TransferDirection.Pull,
                var other => throw Bad($"'dir' must be push or pull, not '{other}'"),
            },
            Base = block.RequiredHash("base", "A channel report"),
            Paths = [.. (block.TextList("paths") ?? []).Select(p => RemoteText.Printable(p)!)],
            Status = Named<ChannelStatus>(block.Text("status-name")) ?? throw Bad($"'{block.Text("status-name")}' is not a channel status"),
            Message = RemoteText.Printable(block.Text("message")) ?? string.Empty,
            IsDisconnected = block.Number("disconnected") == 1,
            Sent = block.Number("sent") ?? 0,
            Received = block.Number("received") ?? 0,
            Queued = block.Number("queued") ?? 0,
            DataLimit = block.Number("limit"),
            ConsecutiveRestarts = (int)Math.Clamp(block.Number("restarts") ?? 0, 0, int.MaxValue),
            Vouchers = [.. (block.TextList("vouchers") ?? []).Select(type => new Voucher(type, ReadOnlyMemory<byte>.Empty))],
            VoucherResults = [.. (block.Blocks("results") ?? []).Select(r => new VoucherResult(RemoteText.Printable(r.Text("type")) ?? string.Empty, r.Number("accepted") == 1, RemoteText.Printable(r.Text("message")) ?? string.Empty))],
            Updated = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(block.Number("updated") ?? 0, 0, 253_402_300_799_999)),
        };
        var terms = new ChannelTerms { Size = Math.Max(0, block.Number("size") ?? 0), Peers = block.Tickets("peers"), KeepPartial = block.Number("keep") == 1 };
        return new ChannelReport(block.Text("side") == "responder" ? ChannelSide.Responder : ChannelSide.Initiator, state, terms)
        {
            Sequence = Math.Max(0, block.Number("seq") ?? 0),
            Event = block.Text("event") is { } name ? Named<ChannelEvent>(name) ?? throw Bad($"'{name}' is not a channel event") : null,
        };
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        ChannelState s = State;
        yield return new("side", Side == ChannelSide.Initiator ? "initiator" : "responder");
        yield return new("initiator", s.Id.Initiator.ToString());
        yield return new("responder", s.Id.Responder.ToString());
        yield return new("id", checked((long)s.Id.TransferId));
        yield return new("dir", s.Direction == TransferDirection.Push ? "push" : "pull");
        yield return new("base", s.Base.ToArray());
        foreach (KeyValuePair<string, object> field in TransferMessage.PathsFields(s.Paths))
        {
            yield return field;
        }

        yield return new("status-name", s.Status.ToString());
        yield return new("message", Clip(s.Message));
        yield return new("disconnected", s.IsDisconnected ? 1L : 0L);
        yield return new("sent", s.Sent);
        yield return new("received", s.Received);
        yield return new("queued", s.Queued);
        if (s.DataLimit is { } limit)
        {
            yield return new("limit", limit);
        }

        yield return new("restarts", (long)s.ConsecutiveRestarts);
        yield return new("vouchers", s.Vouchers.TakeLast(16).Select(v => (object)v.Type).ToList());
        yield return new("results", s.VoucherResults.TakeLast(ReportedResults).Select(r => (object)new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["type"] = r.Type,
            ["accepted"] = r.Accepted ? 1L : 0L,
            ["message"] = Clip(r.Message),
        }).ToList());
        yield return new("updated", s.Updated.ToUnixTimeMilliseconds());
        yield return new("size", Terms.Size);
        yield return new("peers", MetadataBlock.TicketsField(Terms.Peers.Take(8)));
        yield return new("keep", Terms.KeepPartial ? 1L : 0L);
        if (Sequence > 0)
        {
            yield return new("seq", Sequence);
        }

        if (Event is { } happened)
        {
            yield return new("event", happened.ToString());
        }
    }

    private static string Clip(string text) => text.Length > 1024 ? text[..1024] : text;

    // Only a member's own name: Enum.TryParse also takes numbers ("99") and lists ("Ongoing, Failed"), which name no status.
    private static T? Named<T>(string? name)
        where T : struct, Enum => name is not null && Enum.GetNames<T>().Contains(name, StringComparer.Ordinal) ? Enum.Parse<T>(name) : null;

    private static NodeId Node(MetadataBlock block, string key) =>
        NodeId.TryParse(block.Text(key) ?? string.Empty, out NodeId node) ? node : throw Bad($"'{key}' must be a node id");

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}
