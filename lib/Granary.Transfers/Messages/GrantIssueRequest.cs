using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Vouchers;
using Granary.Transport;

namespace Granary.Transfers.Messages;

/// <summary>
/// <c>issue-grant</c>: the silo signs a <see cref="Grant"/> with its cluster's grant key and returns
/// it as a voucher (<see cref="GrantReply"/>): <paramref name="Counterparty"/> may
/// <paramref name="Direction"/> (push into, or pull from, this cluster) the <paramref name="Hashes"/>,
/// up to <paramref name="ByteQuota"/> bytes, until <paramref name="Expires"/>.
/// </summary>
public sealed record GrantIssueRequest(NodeId Counterparty, TransferDirection Direction, IReadOnlyList<Blake3Hash> Hashes, long ByteQuota, DateTimeOffset Expires) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "issue-grant";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
    [
        new("peer", Counterparty.ToString()),
        new("dir", Word(Direction)),
        new("hashes", Hashes.Select(h => (object)h.ToArray()).ToList()),
        new("quota", ByteQuota),
        new("expires", Expires.ToUnixTimeMilliseconds()),
    ];

    internal static GrantIssueRequest Read(MetadataBlock block)
    {
        string peer = block.Text("peer") ?? throw new TransferProtocolException("A grant request needs the 'peer' it is for.");
        if (!NodeId.TryParse(peer, out NodeId node))
        {
            throw new TransferProtocolException($"'peer' '{peer}' is not a node id.");
        }

        IReadOnlyList<Blake3Hash> hashes = block.Fields.TryGetValue("hashes", out object? list) && list is List<object> { Count: > 0 and <= Grant.MaxHashes } items
            ? [.. items.Select(h => h is byte[] { Length: Blake3Hash.Size } bytes ? new Blake3Hash(bytes) : throw new TransferProtocolException("Each of 'hashes' must be 32 bytes."))]
            : throw new TransferProtocolException($"A grant request needs 1 to {Grant.MaxHashes} 'hashes'.");
        long quota = block.Number("quota") is > 0 and var q ? q : throw new TransferProtocolException("A grant request needs a positive byte 'quota'.");
        long expires = block.Number("expires") ?? throw new TransferProtocolException("A grant request needs 'expires'.");
        return new GrantIssueRequest(node, ReadDirection(block), hashes, quota, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(expires, 0, 253_402_300_799_999)));
    }
}
