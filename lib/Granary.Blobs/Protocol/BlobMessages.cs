using System.Globalization;
using System.Net;
using System.Text;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Protocol;

/// <summary>
/// Status codes of the blobs protocol, in the style of seed 001 (HTTP-like, with 45x for upload
/// framing). docs/protocol.md lists when each is sent.
/// </summary>
public enum BlobStatus
{
    /// <summary>The request succeeded.</summary>
    Ok = 200,
    /// <summary>The metadata block is malformed, or a field is missing or of the wrong type.</summary>
    BadRequest = 400,
    /// <summary>The connection has not authenticated, or the token is wrong.</summary>
    Unauthorized = 401,
    /// <summary>No such blob.</summary>
    NotFound = 404,
    /// <summary>The 'op' is not one this silo knows.</summary>
    UnknownOperation = 405,
    /// <summary>The blob expired.</summary>
    Gone = 410,
    /// <summary>The blob is larger than the silo accepts.</summary>
    TooLarge = 413,
    /// <summary>A PUT without a size.</summary>
    NoSize = 450,
    /// <summary>A PUT whose size is negative.</summary>
    BadSize = 451,
    /// <summary>The PUT's data ended (FIN) before its declared size.</summary>
    FinBeforeSize = 452,
    /// <summary>The PUT sent more data than its declared size.</summary>
    TooMuchData = 453,
    /// <summary>The PUT's data does not hash to the hash it declared.</summary>
    HashMismatch = 454,

    /// <summary>A collection request for a blob that is not a collection.</summary>
    NotACollection = 415,
    /// <summary>The silo's disk failed.</summary>
    IoError = 480,
    /// <summary>A bug in the silo; see its log.</summary>
    Internal = 500,

    /// <summary>The blob is not on this silo but on the cluster's silos listed in 'providers'.</summary>
    Redirect = 307,

    /// <summary>
    /// Retry later or elsewhere: the cluster could not make enough copies (or reach the grain that
    /// owns the blob), nothing was acknowledged; also the code a silo that is shutting down resets
    /// its in-flight request streams with.
    /// </summary>
    Unavailable = 503,
}

/// <summary>A request or reply the peer refused, with the protocol status and the peer's explanation.</summary>
public sealed class BlobProtocolException(BlobStatus status, string message) : IOException(message)
{
    /// <summary>The <see cref="BlobStatus"/> code.</summary>
    public BlobStatus Status { get; } = status;
}

/// <summary>
/// A metadata block: a bencoded dictionary framed as a bencode string (<c>LENGTH:BYTES</c>, as in
/// seed 001), so the reader knows where it ends and the data begins. At most
/// <see cref="MaxLength"/> bytes.
/// </summary>
public sealed class BlobMessage
{
    /// <summary>Largest metadata block accepted.</summary>
    public const int MaxLength = 16 * 1024;

    private readonly SortedDictionary<string, object> _fields;

    /// <summary>A message with the given fields.</summary>
    public BlobMessage(IEnumerable<KeyValuePair<string, object>> fields) =>
        _fields = new SortedDictionary<string, object>(fields.ToDictionary(f => f.Key, f => f.Value), StringComparer.Ordinal);

    private BlobMessage(SortedDictionary<string, object> fields) => _fields = fields;

    /// <summary>The fields.</summary>
    public IReadOnlyDictionary<string, object> Fields => _fields;

    /// <summary>A reply with a status and, for errors, a message.</summary>
    public static BlobMessage Reply(BlobStatus status, string? error = null, params (string Key, object Value)[] fields)
    {
        var all = fields.Select(f => new KeyValuePair<string, object>(f.Key, f.Value)).ToList();
        all.Add(new("status", (long)status));
        if (error is not null)
        {
            all.Add(new("error", error));
        }

        return new BlobMessage(all);
    }

    /// <summary>Writes the framed message.</summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        byte[] body = Bencode.Encode(_fields);
        byte[] frame = [.. Encoding.ASCII.GetBytes($"{body.Length.ToString(CultureInfo.InvariantCulture)}:"), .. body];
        await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one framed message; null if the stream ended before it began.</summary>
    /// <exception cref="BlobProtocolException">Malformed, oversized or cut-off block (status 400).</exception>
    public static async Task<BlobMessage?> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        byte[] one = new byte[1];
        int length = 0;
        for (int digits = 0; ; digits++)
        {
            if (await input.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return digits == 0 ? null : throw Bad("the stream ended inside the metadata block's length");
            }

            if (one[0] == (byte)':' && digits > 0)
            {
                break;
            }

            if (one[0] is < (byte)'0' or > (byte)'9' || digits >= 5)
            {
                throw Bad("a metadata block must start with its length in decimal, then ':'");
            }

            length = (length * 10) + (one[0] - '0');
        }

        if (length > MaxLength)
        {
            throw Bad($"the metadata block is {length} bytes; the most accepted is {MaxLength}");
        }

        byte[] body = new byte[length];
        int read = await input.ReadAtLeastAsync(body, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < length)
        {
            throw Bad($"the stream ended after {read} of the metadata block's {length} bytes");
        }

        try
        {
            return Bencode.Decode(body) is SortedDictionary<string, object> fields
                ? new BlobMessage(fields)
                : throw Bad("the metadata block must be a dictionary");
        }
        catch (BencodeException error)
        {
            throw Bad($"the metadata block is not valid bencode: {error.Message}");
        }
    }

    /// <summary>A text field.</summary>
    public string? Text(string key) => _fields.TryGetValue(key, out object? v) ? v is byte[] b ? Encoding.UTF8.GetString(b) : throw Bad($"'{key}' must be a string") : null;

    /// <summary>An integer field.</summary>
    public long? Number(string key) => _fields.TryGetValue(key, out object? v) ? v is long n ? n : throw Bad($"'{key}' must be an integer") : null;

    /// <summary>A raw bytes field.</summary>
    public byte[]? Bytes(string key) => _fields.TryGetValue(key, out object? v) ? v as byte[] ?? throw Bad($"'{key}' must be a string of bytes") : null;

    /// <summary>A 32-byte hash field.</summary>
    public Blake3Hash? Hash(string key) => Bytes(key) is { } b ? b.Length == Blake3Hash.Size ? new Blake3Hash(b) : throw Bad($"'{key}' must be a {Blake3Hash.Size}-byte BLAKE3 hash, not {b.Length} bytes") : null;

    /// <summary>A dictionary of text values (tags).</summary>
    public IReadOnlyDictionary<string, string>? Texts(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is SortedDictionary<string, object> d && d.Values.All(i => i is byte[])
                ? d.ToDictionary(e => e.Key, e => Encoding.UTF8.GetString((byte[])e.Value), StringComparer.Ordinal)
                : throw Bad($"'{key}' must be a dictionary of strings")
            : null;

    /// <summary>Chunk ranges as the protocol carries them: the list of their boundaries.</summary>
    public static List<object> RangesField(ChunkRanges ranges) =>
        ranges.Boundaries.Select(b => (object)(long)Math.Min(b, (ulong)long.MaxValue)).ToList();

    /// <summary>A list of integers.</summary>
    public IReadOnlyList<long>? Numbers(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is List<object> list && list.All(i => i is long) ? list.Cast<long>().ToList() : throw Bad($"'{key}' must be a list of integers")
            : null;

    /// <summary>A nested dictionary field, as a message of its own.</summary>
    public BlobMessage? Nested(string key) =>
        _fields.TryGetValue(key, out object? v) ? v is SortedDictionary<string, object> d ? new BlobMessage(d) : throw Bad($"'{key}' must be a dictionary") : null;

    /// <summary>A list of strings.</summary>
    public IReadOnlyList<string>? TextList(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is List<object> list && list.All(i => i is byte[]) ? list.Select(i => Encoding.UTF8.GetString((byte[])i)).ToList() : throw Bad($"'{key}' must be a list of strings")
            : null;

    /// <summary>The status of a reply, throwing the peer's error for anything but 200.</summary>
    public BlobMessage EnsureOk()
    {
        long status = Number("status") ?? throw Bad("the reply has no status");
        return status == (long)BlobStatus.Ok ? this : throw new BlobProtocolException((BlobStatus)status, Text("error") ?? $"the silo answered {status}");
    }

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}

/// <summary>Where a silo is: its node id and address. Printed <c>granary:NODEID@ADDRESS</c>.</summary>
public sealed record SiloTicket(NodeId Node, IPEndPoint Address)
{
    private const string Prefix = "granary:";

    /// <summary>Parses a silo or blob ticket (a blob ticket's hash is ignored).</summary>
    /// <exception cref="FormatException">Not a ticket; the message shows the expected form.</exception>
    public static SiloTicket Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string body = text.Trim();
        int slash = body.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            body = body[..slash];
        }

        int at = body.IndexOf('@', StringComparison.Ordinal);
        if (!body.StartsWith(Prefix, StringComparison.Ordinal) || at < 0
            || !NodeId.TryParse(body[Prefix.Length..at], out NodeId node) || !IPEndPoint.TryParse(body[(at + 1)..], out IPEndPoint? address) || address.Port == 0)
        {
            throw new FormatException($"'{text}' is not a silo ticket: expected granary:<node id>@<ip>:<port> (the silo prints it when ready, and writes it to silo.ticket).");
        }

        return new SiloTicket(node, address);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Prefix}{Node}@{Address}";
}

/// <summary>A blob on a silo: <c>granary:NODEID@ADDRESS/HASH</c>. Everything needed to fetch it.</summary>
public sealed record BlobTicket(SiloTicket Silo, Blake3Hash Hash)
{
    /// <summary>Parses a blob ticket.</summary>
    /// <exception cref="FormatException">Not a blob ticket; the message shows the expected form.</exception>
    public static BlobTicket Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.Trim().LastIndexOf('/');
        if (slash < 0 || !Blake3Hash.TryParse(text.Trim().AsSpan(slash + 1), out Blake3Hash hash))
        {
            throw new FormatException($"'{text}' is not a blob ticket: expected granary:<node id>@<ip>:<port>/<64 hex digits>.");
        }

        return new BlobTicket(SiloTicket.Parse(text), hash);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Silo}/{Hash}";
}
