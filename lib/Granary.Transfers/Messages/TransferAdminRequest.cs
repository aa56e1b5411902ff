using System.Globalization;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Transfers.Messages;

/// <summary>
/// A request of a cluster's own client (the CLI, the cmdlets) on <c>granary/transfer/1</c>: start a
/// channel, list, show or watch channels, command one, give it a new voucher, or issue a grant.
/// Each carries the cluster's admin <see cref="Token"/> (a cluster member or trusted node needs
/// none); one record per kind, each with one encoding and one parse, like <see cref="TransferMessage"/>.
/// </summary>
public abstract record TransferAdminRequest
{
    /// <summary>The ops of admin requests, which share the ALPN with the peer messages of <see cref="TransferMessage"/>.</summary>
    public static IReadOnlySet<string> Ops { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        TransferStartRequest.Op, TransferListRequest.Op, TransferShowRequest.Op, TransferWatchRequest.Op,
        TransferCommandRequest.Op, TransferNewVoucherRequest.Op, GrantIssueRequest.Op,
    };

    /// <summary>The cluster's admin token, UTF-8; empty from a member or trusted node.</summary>
    public ReadOnlyMemory<byte> Token { get; init; }

    /// <summary>The op on the wire.</summary>
    public abstract string Operation { get; }

    /// <summary>The request's block.</summary>
    public MetadataBlock ToBlock() => new(Fields().Append(new("op", Operation)).Append(new("token", Token.ToArray())));

    /// <summary>Reads any admin request.</summary>
    /// <exception cref="TransferProtocolException">Unknown op or a malformed field.</exception>
    public static TransferAdminRequest Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        try
        {
            byte[] token = block.Bytes("token") ?? [];
            TransferAdminRequest request = block.Text("op") switch
            {
                TransferStartRequest.Op => TransferStartRequest.Read(block),
                TransferListRequest.Op => new TransferListRequest(),
                TransferShowRequest.Op => new TransferShowRequest(ReadRef(block)),
                TransferWatchRequest.Op => new TransferWatchRequest(block.Has("id") ? ReadRef(block) : null),
                TransferCommandRequest.Op => new TransferCommandRequest(ReadRef(block), block.Text("command") switch
                {
                    "pause" => TransferCommand.Pause,
                    "resume" => TransferCommand.Resume,
                    "restart" => TransferCommand.Restart,
                    "cancel" => TransferCommand.Cancel,
                    var other => throw new TransferProtocolException($"'{other}' is not a channel command (pause, resume, restart, cancel)."),
                }),
                TransferNewVoucherRequest.Op => new TransferNewVoucherRequest(ReadRef(block), TransferMessage.ReadVoucher(block)),
                GrantIssueRequest.Op => GrantIssueRequest.Read(block),
                var op => throw new TransferProtocolException($"'{op}' is not a transfer request."),
            };
            return request with { Token = token };
        }
        catch (BlobProtocolException error)
        {
            throw new TransferProtocolException($"The transfer request is malformed: {error.Message}.", error);
        }
    }

    /// <summary>The token as text (for comparison).</summary>
    public string TokenText => Encoding.UTF8.GetString(Token.Span);

    /// <summary>The request's fields other than op and token.</summary>
    protected abstract IEnumerable<KeyValuePair<string, object>> Fields();

    /// <summary>A channel reference's fields.</summary>
    protected static IEnumerable<KeyValuePair<string, object>> RefFields(ChannelRef channel)
    {
        yield return new("id", checked((long)channel.TransferId));
        if (channel.Initiator is { } initiator)
        {
            yield return new("initiator", initiator.ToString());
        }
    }

    private static ChannelRef ReadRef(MetadataBlock block)
    {
        long id = block.Number("id") is >= 0 and var n ? n : throw new TransferProtocolException("The request needs the channel's transfer 'id' (0 or more).");
        string? initiator = block.Text("initiator");
        return initiator is null ? new ChannelRef((ulong)id)
            : NodeId.TryParse(initiator, out NodeId node) ? new ChannelRef((ulong)id, node)
            : throw new TransferProtocolException($"'initiator' '{initiator}' is not a node id.");
    }

    /// <summary>A direction's wire word.</summary>
    internal static string Word(TransferDirection direction) => direction == TransferDirection.Push ? "push" : "pull";

    /// <summary>Reads a direction.</summary>
    internal static TransferDirection ReadDirection(MetadataBlock block) => block.Text("dir") switch
    {
        "push" => TransferDirection.Push,
        "pull" => TransferDirection.Pull,
        var other => throw new TransferProtocolException($"'dir' must be push or pull, not '{other}'."),
    };

    /// <summary>Invariant text of a number (for messages).</summary>
    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
