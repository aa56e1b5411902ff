using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Transfers.Vouchers;

/// <summary>What a validator judges: a request to open (or restart) a channel, as the validating side sees it.</summary>
/// <param name="Id">The channel.</param>
/// <param name="Peer">The other side, as its QUIC certificate proved it (never taken from the message).</param>
/// <param name="Direction">Push or pull, from the initiator's side.</param>
/// <param name="Base">The blob or collection to move.</param>
/// <param name="Size">Its size in bytes (the data the channel will move, whole).</param>
/// <param name="Voucher">The voucher sent with the request.</param>
/// <param name="At">Now, by the validating side's clock (UTC).</param>
public sealed record ChannelRequest(ChannelId Id, NodeId Peer, TransferDirection Direction, Blake3Hash Base, long Size, Voucher Voucher, DateTimeOffset At);
