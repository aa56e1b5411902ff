using Granary.Blobs.Protocol;
using Granary.Gossip.Topics;
using Granary.Transfers.Messages;

namespace Granary.Fuzz.Tests;

/// <summary>The field names and op words of every protocol on metadata blocks: what field-level mutations add, swap and cross between messages.</summary>
internal static class Vocabulary
{
    /// <summary>Every field name docs/protocol.md lists, plus a few that are not (an unknown field must be ignored or refused, never crash).</summary>
    public static readonly string[] Keys =
    [
        "op", "status", "error", "hash", "size", "ttl", "tags", "ranges", "channel", "token", "node", "present", "complete", "created", "expires",
        "uploader", "providers", "replicas", "view", "silos", "address", "generation", "blobs", "bytes", "backlog", "problem", "end", "id", "dir",
        "base", "paths", "voucher-type", "voucher", "type", "accepted", "message", "paused", "finalize", "limit", "from", "peers", "keep",
        "initiator", "responder", "side", "status-name", "disconnected", "sent", "received", "queued", "restarts", "vouchers", "results",
        "updated", "seq", "event", "command", "peer", "hashes", "quota", "topic", "t", "priority", "alive", "origin", "content", "round", "scope",
        "ids", "rounds", "name", "kind", "hops", "count", "duplicate", "", "OP", "op\0", "zzz", "\u00e9",
    ];

    /// <summary>Every op and type word, of every protocol, and near misses.</summary>
    public static readonly string[] Words =
    [
        .. BlobRequest.Operations, .. TransferAdminRequest.Ops, .. TransferControl.Ops,
        "open", "restart", "voucher", "voucher-result", TopicSubscribeRequest.Op, TopicPublishRequest.Op, TopicListRequest.Op,
        "join", "forward-join", "neighbor", "disconnect", "shuffle", "shuffle-reply", "gossip", "ihave", "graft", "prune",
        "push", "pull", "high", "low", "swarm", "neighbors", "initiator", "responder", "joined", "received", "neighbor-up", "neighbor-down", "lagged",
        "Ongoing", "Failed", "99", "Ongoing, Failed", "Open", "pause", "PUT", "Get", "get ", "", "granary/grant/1", "granary/token/1",
    ];
}
