using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>
/// A refusal: any status but 200, with <c>error</c>, a sentence for a person. A 307 also carries
/// <c>providers</c>; a missing entry of a <c>get-collection</c> carries the entry's <c>hash</c>.
/// </summary>
/// <param name="Code">The status (never 200).</param>
/// <param name="Message">What was wrong and, where it helps, what to do.</param>
public sealed record ErrorReply(BlobStatus Code, string Message) : BlobReply
{
    /// <summary>
    /// Longest sentence a reply carries, in characters: longer ones (a remote silo's, relayed; one that
    /// quotes a hostile op) are cut, so an error reply always fits a metadata block and a reader shows
    /// a sentence, not kilobytes.
    /// </summary>
    public const int MaxMessageLength = 1024;

    /// <inheritdoc/>
    public override BlobStatus Status => Code;

    /// <summary>For a 307: the silos that hold the blob.</summary>
    public IReadOnlyList<SiloTicket> Providers { get; init; } = [];

    /// <summary>For an entry of a collection: which blob is missing.</summary>
    public Blake3Hash? Hash { get; init; }

    /// <summary>
    /// The reply for the failures every protocol of a silo shares, the last arm of each protocol's
    /// own map (which handles its own exception types first): a refusal keeps its status; a request
    /// cut off because the silo is stopping is 503 (retry elsewhere); one that did not arrive within
    /// the header timeout is 400; a client that went away (<see cref="Granary.Transport.QuicException"/>)
    /// gets nothing (null); anything else is a bug, 500, with the details only in the silo's log.
    /// </summary>
    /// <param name="error">What the request's handling threw.</param>
    /// <param name="shutdown">The silo's stopping token: a cancellation under it is the silo's, not the client's.</param>
    public static ErrorReply? ForFailure(Exception error, CancellationToken shutdown) => error switch
    {
        BlobProtocolException refused => From(refused),
        Granary.Transport.QuicException => null,
        ObjectDisposedException or OperationCanceledException when shutdown.IsCancellationRequested => new(BlobStatus.Unavailable, "the silo is shutting down; try another silo"),
        OperationCanceledException => new(BlobStatus.BadRequest, "no request arrived in time (the header timeout)"),
        _ => new(BlobStatus.Internal, "the silo failed on this request (a bug); its log has the details"),
    };

    /// <summary>The reply for a refusal thrown as <paramref name="error"/>.</summary>
    public static ErrorReply From(BlobProtocolException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new ErrorReply(error.Status, error.Message) { Providers = error.Providers };
    }

    /// <summary>The exception a reader throws for this reply.</summary>
    public BlobProtocolException ToException() =>
        Code == BlobStatus.Redirect ? new BlobProtocolException(Message, Providers) : new BlobProtocolException(Code, Message);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return new("error", Clip(Message));
        if (Providers.Count > 0)
        {
            yield return new("providers", MetadataBlock.TicketsField(Providers));
        }

        if (Hash is { } hash)
        {
            yield return new("hash", hash.ToArray());
        }
    }

    /// <summary>The refusal a reply block with a status other than 200 carries; its sentence made printable (<see cref="RemoteText"/>).</summary>
    /// <exception cref="BlobProtocolException">A field of the wrong type (400).</exception>
    public static ErrorReply From(MetadataBlock block, long status)
    {
        ArgumentNullException.ThrowIfNull(block);
        string? error = RemoteText.Printable(Clip(block.Text("error")));
        return new(Known(status) ? (BlobStatus)(int)status : BlobStatus.Internal, Known(status) ? error ?? $"the silo answered {status}" : $"the silo answered status {status}, which this client does not know: {error}")
        {
            Providers = block.Tickets("providers"),
            Hash = block.Hash("hash"),
        };
    }

    /// <summary>At most <see cref="MaxMessageLength"/> characters, never ending in half a surrogate pair.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    private static string? Clip(string? text) =>
        text is null || text.Length <= MaxMessageLength ? text : text[..(char.IsHighSurrogate(text[MaxMessageLength - 1]) ? MaxMessageLength - 1 : MaxMessageLength)];

    private static bool Known(long status) => status is >= 100 and <= 599 && Enum.IsDefined((BlobStatus)(int)status) && status != (long)BlobStatus.Ok;
}
