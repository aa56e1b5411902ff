using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Grains.Transfers;

/// <summary>
/// The persisted state of <see cref="TransferChannelGrain"/>: the <see cref="ChannelState"/> in
/// plain members (text ids, a hex hash, byte arrays), because grain storage writes JSON and the
/// channel's own types (node ids, hashes, init-only records) are not JSON-shaped.
/// </summary>
[GenerateSerializer]
public sealed class TransferChannelGrainState
{
    /// <summary>False until the channel is opened.</summary>
    [Id(0)] public bool IsOpen { get; set; }

    /// <summary>The initiator's node id, printed.</summary>
    [Id(1)] public string Initiator { get; set; } = string.Empty;

    /// <summary>The responder's node id, printed.</summary>
    [Id(2)] public string Responder { get; set; } = string.Empty;

    /// <summary>The initiator's transfer id.</summary>
    [Id(3)] public ulong TransferId { get; set; }

    /// <summary><see cref="ChannelState.Direction"/>.</summary>
    [Id(4)] public TransferDirection Direction { get; set; }

    /// <summary><see cref="ChannelState.Base"/> in hex.</summary>
    [Id(5)] public string Base { get; set; } = string.Empty;

    /// <summary><see cref="ChannelState.Status"/>.</summary>
    [Id(6)] public ChannelStatus Status { get; set; }

    /// <summary><see cref="ChannelState.Message"/>.</summary>
    [Id(7)] public string Message { get; set; } = string.Empty;

    /// <summary><see cref="ChannelState.IsDisconnected"/>.</summary>
    [Id(8)] public bool IsDisconnected { get; set; }

    /// <summary><see cref="ChannelState.Sent"/>.</summary>
    [Id(9)] public long Sent { get; set; }

    /// <summary><see cref="ChannelState.Received"/>.</summary>
    [Id(10)] public long Received { get; set; }

    /// <summary><see cref="ChannelState.Queued"/>.</summary>
    [Id(11)] public long Queued { get; set; }

    /// <summary><see cref="ChannelState.DataLimit"/>.</summary>
    [Id(12)] public long? DataLimit { get; set; }

    /// <summary><see cref="ChannelState.ConsecutiveRestarts"/>.</summary>
    [Id(13)] public int ConsecutiveRestarts { get; set; }

    /// <summary>Voucher types, in the order of <see cref="VoucherBodies"/>.</summary>
    [Id(14)] public List<string> VoucherTypes { get; set; } = [];

    /// <summary>Voucher bodies.</summary>
    [Id(15)] public List<byte[]> VoucherBodies { get; set; } = [];

    /// <summary>Voucher results: type, accepted, message, one entry each, in order.</summary>
    [Id(16)] public List<string> ResultTypes { get; set; } = [];

    /// <summary>Whether each voucher result accepted.</summary>
    [Id(17)] public List<bool> ResultAccepted { get; set; } = [];

    /// <summary>Each voucher result's message.</summary>
    [Id(18)] public List<string> ResultMessages { get; set; } = [];

    /// <summary><see cref="ChannelState.Updated"/>.</summary>
    [Id(19)] public DateTimeOffset Updated { get; set; }

    /// <summary>Bytes the channel moves in all (<see cref="ChannelTerms.Size"/>).</summary>
    [Id(20)]
    public long Size { get; set; }

    /// <summary>The other side's silos as ticket text (<see cref="ChannelTerms.Peers"/>).</summary>
    [Id(21)]
    public List<string> Peers { get; set; } = [];

    /// <summary>See <see cref="ChannelTerms.KeepPartial"/>.</summary>
    [Id(22)]
    public bool KeepPartial { get; set; }

    /// <summary>The number of the last event written (events are numbered from 1).</summary>
    [Id(23)]
    public long Sequence { get; set; }

    /// <summary><see cref="ChannelState.Paths"/> (empty: the whole base).</summary>
    [Id(24)]
    public List<string> Paths { get; set; } = [];

    /// <summary>The terms as stored.</summary>
    public ChannelTerms ToTerms() => new() { Size = Size, Peers = [.. Peers.Select(SiloTicket.Parse)], KeepPartial = KeepPartial };

    /// <summary>Stores <paramref name="terms"/>.</summary>
    public void SetTerms(ChannelTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        Size = terms.Size;
        Peers = [.. terms.Peers.Select(p => p.ToString())];
        KeepPartial = terms.KeepPartial;
    }

    /// <summary>The channel, or null if not opened.</summary>
    public ChannelState? ToChannel() => !IsOpen ? null : new ChannelState
    {
        Id = new ChannelId(NodeId.Parse(Initiator), NodeId.Parse(Responder), TransferId),
        Direction = Direction,
        Base = Blake3Hash.Parse(Base),
        Paths = Paths,
        Status = Status,
        Message = Message,
        IsDisconnected = IsDisconnected,
        Sent = Sent,
        Received = Received,
        Queued = Queued,
        DataLimit = DataLimit,
        ConsecutiveRestarts = ConsecutiveRestarts,
        Vouchers = [.. VoucherTypes.Zip(VoucherBodies, (type, body) => new Voucher(type, body))],
        VoucherResults = [.. ResultTypes.Select((type, i) => new VoucherResult(type, ResultAccepted[i], ResultMessages[i]))],
        Updated = Updated,
    };

    /// <summary>Takes every member of <paramref name="channel"/>.</summary>
    public void Set(ChannelState channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        IsOpen = true;
        Initiator = channel.Id.Initiator.ToString();
        Responder = channel.Id.Responder.ToString();
        TransferId = channel.Id.TransferId;
        Direction = channel.Direction;
        Base = channel.Base.ToString();
        Paths = [.. channel.Paths];
        Status = channel.Status;
        Message = channel.Message;
        IsDisconnected = channel.IsDisconnected;
        Sent = channel.Sent;
        Received = channel.Received;
        Queued = channel.Queued;
        DataLimit = channel.DataLimit;
        ConsecutiveRestarts = channel.ConsecutiveRestarts;
        VoucherTypes = [.. channel.Vouchers.Select(v => v.Type)];
        VoucherBodies = [.. channel.Vouchers.Select(v => v.Body.ToArray())];
        ResultTypes = [.. channel.VoucherResults.Select(r => r.Type)];
        ResultAccepted = [.. channel.VoucherResults.Select(r => r.Accepted)];
        ResultMessages = [.. channel.VoucherResults.Select(r => r.Message)];
        Updated = channel.Updated;
    }
}
