using System.Globalization;
using System.Text;
using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Protocol;

/// <summary>
/// The framing every request and reply starts with: a bencoded dictionary framed as a bencode
/// string (<c>LENGTH:BYTES</c>, as in seed 001's file server), so the reader knows where it ends
/// and the data begins. At most <see cref="MaxLength"/> bytes. The typed messages
/// (<see cref="BlobRequest"/>, <see cref="BlobReply"/>) are the only code that builds or reads
/// fields; everything else handles records.
/// </summary>
public sealed class MetadataBlock
{
    /// <summary>Largest metadata block accepted: 16 KiB, which also bounds every list and dictionary in it.</summary>
    public const int MaxLength = 16 * 1024;

    private readonly SortedDictionary<string, object> _fields;

    /// <summary>A block with the given fields (values: <see cref="long"/>, <see cref="string"/>, byte arrays, lists and dictionaries of these).</summary>
    public MetadataBlock(IEnumerable<KeyValuePair<string, object>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            _fields[key] = value;
        }
    }

    private MetadataBlock(SortedDictionary<string, object> fields) => _fields = fields;

    /// <summary>The fields, sorted by key.</summary>
    public IReadOnlyDictionary<string, object> Fields => _fields;

    /// <summary>The encoded frame: <c>LENGTH:</c> then the bencoded dictionary.</summary>
    public byte[] ToFrame()
    {
        byte[] body = Bencode.Encode(_fields);
        return [.. Encoding.ASCII.GetBytes($"{body.Length.ToString(CultureInfo.InvariantCulture)}:"), .. body];
    }

    /// <summary>Writes the framed block.</summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync(ToFrame(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one framed block; null if the stream ended before it began.</summary>
    /// <exception cref="BlobProtocolException">Malformed, oversized or cut-off block (400).</exception>
    public static async Task<MetadataBlock?> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
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
                ? new MetadataBlock(fields)
                : throw Bad("the metadata block must be a dictionary");
        }
        catch (BencodeException error)
        {
            throw Bad($"the metadata block is not valid bencode: {error.Message}");
        }
    }

    /// <summary>True if the block has <paramref name="key"/>.</summary>
    public bool Has(string key) => _fields.ContainsKey(key);

    /// <summary>A text field (UTF-8); null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a string (400).</exception>
    public string? Text(string key) => _fields.TryGetValue(key, out object? v) ? v is byte[] b ? Encoding.UTF8.GetString(b) : throw Bad($"'{key}' must be a string") : null;

    /// <summary>An integer field; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not an integer (400).</exception>
    public long? Number(string key) => _fields.TryGetValue(key, out object? v) ? v is long n ? n : throw Bad($"'{key}' must be an integer") : null;

    /// <summary>A raw bytes field; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a string (400).</exception>
    public byte[]? Bytes(string key) => _fields.TryGetValue(key, out object? v) ? v as byte[] ?? throw Bad($"'{key}' must be a string of bytes") : null;

    /// <summary>A 32-byte hash field; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not 32 bytes (400).</exception>
    public Blake3Hash? Hash(string key) => Bytes(key) is { } b ? b.Length == Blake3Hash.Size ? new Blake3Hash(b) : throw Bad($"'{key}' must be a {Blake3Hash.Size}-byte BLAKE3 hash, not {b.Length} bytes") : null;

    /// <summary>A required 32-byte hash field.</summary>
    /// <exception cref="BlobProtocolException">Absent or not 32 bytes (400).</exception>
    public Blake3Hash RequiredHash(string key, string what) => Hash(key) ?? throw Bad($"{what} needs the blob's '{key}' (32 bytes)");

    /// <summary>A dictionary of text values (tags); null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a dictionary of strings (400).</exception>
    public IReadOnlyDictionary<string, string>? Texts(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is SortedDictionary<string, object> d && d.Values.All(i => i is byte[])
                ? d.ToDictionary(e => e.Key, e => Encoding.UTF8.GetString((byte[])e.Value), StringComparer.Ordinal)
                : throw Bad($"'{key}' must be a dictionary of strings")
            : null;

    /// <summary>A list of integers; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a list of integers (400).</exception>
    public IReadOnlyList<long>? Numbers(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is List<object> list && list.All(i => i is long) ? list.Cast<long>().ToList() : throw Bad($"'{key}' must be a list of integers")
            : null;

    /// <summary>A list of strings; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a list of strings (400).</exception>
    public IReadOnlyList<string>? TextList(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is List<object> list && list.All(i => i is byte[]) ? list.Select(i => Encoding.UTF8.GetString((byte[])i)).ToList() : throw Bad($"'{key}' must be a list of strings")
            : null;

    /// <summary>A list of dictionaries, each as a block of its own; null if absent.</summary>
    /// <exception cref="BlobProtocolException">Present but not a list of dictionaries (400).</exception>
    public IReadOnlyList<MetadataBlock>? Blocks(string key) =>
        _fields.TryGetValue(key, out object? v)
            ? v is List<object> list && list.All(i => i is SortedDictionary<string, object>)
                ? list.Select(i => new MetadataBlock((SortedDictionary<string, object>)i)).ToList()
                : throw Bad($"'{key}' must be a list of dictionaries")
            : null;

    /// <summary>Chunk ranges carried as the list of their boundaries (docs/protocol.md, Ranges); <see cref="ChunkRanges.All"/> if absent.</summary>
    /// <exception cref="BlobProtocolException">Not a list of non-negative, increasing integers (400).</exception>
    public ChunkRanges Ranges(string key)
    {
        if (Numbers(key) is not { } boundaries)
        {
            return ChunkRanges.All;
        }

        try
        {
            return ChunkRanges.FromBoundaries(boundaries.Select(b => b >= 0 ? (ulong)b : throw new ArgumentException($"boundary {b} is negative")).ToList());
        }
        catch (ArgumentException error)
        {
            throw Bad($"bad '{key}': {Sentence(error)}");
        }
    }

    /// <summary>An argument error's message without .NET's "(Parameter 'x')" tail, for a person on the other end.</summary>
    internal static string Sentence(ArgumentException error) =>
        error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : error.Message;

    /// <summary>A list of silo tickets (providers, replicas); empty if absent.</summary>
    /// <exception cref="BlobProtocolException">Not a list of tickets (400).</exception>
    public IReadOnlyList<SiloTicket> Tickets(string key)
    {
        try
        {
            return [.. (TextList(key) ?? []).Select(SiloTicket.Parse)];
        }
        catch (FormatException error)
        {
            throw Bad($"bad '{key}': {error.Message}");
        }
    }

    /// <summary>Chunk ranges as the wire carries them: the list of their boundaries.</summary>
    public static List<object> RangesField(ChunkRanges ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        return ranges.Boundaries.Select(b => (object)(long)Math.Min(b, (ulong)long.MaxValue)).ToList();
    }

    /// <summary>Tickets as the wire carries them: a list of their text forms.</summary>
    public static List<object> TicketsField(IEnumerable<SiloTicket> tickets) => tickets.Select(t => (object)t.ToString()).ToList();

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}
