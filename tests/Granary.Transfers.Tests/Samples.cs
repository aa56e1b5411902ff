using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Vouchers;
using Granary.Transport;

namespace Granary.Transfers.Tests;

/// <summary>The parties, blob and clock the transfer tests share.</summary>
internal static class Samples
{
    /// <summary>"Now" for every validation.</summary>
    public static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The other side: the initiator, and the node grants are issued to.</summary>
    public static readonly NodeId Partner = NodeId.FromPublicKey([1]);

    /// <summary>This side: the responder.</summary>
    public static readonly NodeId Us = NodeId.FromPublicKey([2]);

    /// <summary>The blob the channels move.</summary>
    public static readonly Blake3Hash Dataset = Blake3.Hash([3]);

    /// <summary>Unsigned grant terms for <see cref="Partner"/> and <see cref="Dataset"/>: 1 GiB, a day.</summary>
    public static Grant Terms(TransferDirection direction = TransferDirection.Push, long quota = 1L << 30) => new()
    {
        Issuer = default,
        Counterparty = Partner,
        Direction = direction,
        Hashes = [Dataset],
        ByteQuota = quota,
        Expires = Now.AddDays(1),
        Nonce = 12345,
    };
}
