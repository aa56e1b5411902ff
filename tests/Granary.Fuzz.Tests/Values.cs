using System.Net;
using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Fuzz.Tests;

/// <summary>CsCheck generators of the protocols' valid building blocks: hashes, node ids, tickets, ranges, TTLs, tags, text that survives a round trip.</summary>
internal static class Values
{
    /// <summary>Printable characters of several scripts (no controls, no lone surrogates: text a record keeps as it is).</summary>
    private const string Printable = " !#$%&'()*+,-.0123456789;<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~éßøΩдж漢字한글ﬁ€";

    /// <summary>A 32-byte BLAKE3 hash.</summary>
    public static readonly Gen<Blake3Hash> Hash = Gen.Byte.Array[Blake3Hash.Size].Select(bytes => new Blake3Hash(bytes));

    /// <summary>A node id (the hash of some key bytes).</summary>
    public static readonly Gen<NodeId> Node = Gen.Byte.Array[1, 16].Select(key => NodeId.FromPublicKey(key));

    /// <summary>An IPv4 or IPv6 address with a port from 1 to 65535.</summary>
    public static readonly Gen<IPEndPoint> Address = Gen.Select(
        Gen.Frequency((3, Gen.Byte.Array[4]), (1, Gen.Byte.Array[16])),
        Gen.Int[1, 65535],
        (bytes, port) => new IPEndPoint(new IPAddress(bytes), port));

    /// <summary>A silo ticket.</summary>
    public static readonly Gen<SiloTicket> Ticket = Gen.Select(Node, Address, (node, address) => new SiloTicket(node, address));

    /// <summary>A blob ticket.</summary>
    public static readonly Gen<BlobTicket> BlobTicket = Gen.Select(Ticket, Hash, (silo, hash) => new BlobTicket(silo, hash));

    /// <summary>Up to four silo tickets (providers, replicas).</summary>
    public static readonly Gen<SiloTicket[]> Tickets = Ticket.Array[0, 4];

    /// <summary>Chunk ranges: sorted distinct boundaries below 2^40, sometimes none (all) or one (open-ended).</summary>
    public static readonly Gen<ChunkRanges> Ranges = Gen.ULong[0, 1UL << 40].Array[0, 8]
        .Select(bounds => ChunkRanges.FromBoundaries([.. bounds.Distinct().Order()]));

    /// <summary>A TTL within the protocol's bound, in whole seconds.</summary>
    public static readonly Gen<TimeSpan> Ttl = Gen.Long[0, BlobRequest.MaxTtlSeconds].Select(seconds => TimeSpan.FromSeconds(seconds));

    /// <summary>A time in whole milliseconds, as the wire carries times (year 1970 to 9999).</summary>
    public static readonly Gen<DateTimeOffset> Time = Gen.Long[0, 253_402_300_799_999].Select(DateTimeOffset.FromUnixTimeMilliseconds);

    /// <summary>A byte count or size (non-negative).</summary>
    public static readonly Gen<long> Size = Gen.Frequency((3, Gen.Long[0, 1L << 40]), (1, Gen.Long[0, long.MaxValue]));

    /// <summary>Tags within <see cref="BlobTags"/>' limits.</summary>
    public static readonly Gen<Dictionary<string, string>> Tags = Gen.Select(Text(1, 16).Where(k => !k.Contains('=', StringComparison.Ordinal)), Text(0, 16))
        .Array[0, 6]
        .Select(pairs => pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal));

    /// <summary>Bytes of an opaque field (a token, a voucher body).</summary>
    public static readonly Gen<byte[]> Opaque = Gen.Frequency((8, Gen.Byte.Array[0, 64]), (1, Gen.Byte.Array[0, 1024]));

    /// <summary>Printable text of <paramref name="min"/> to <paramref name="max"/> characters.</summary>
    public static Gen<string> Text(int min, int max) => Gen.String[Gen.Char[Printable], min, max];

    /// <summary>A relative collection path: 1 to 4 segments of safe names, never '.', '..' or empty.</summary>
    public static readonly Gen<string> Path = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_.é漢 "], 1, 12]
        .Where(segment => segment is not ("." or ".."))
        .Array[1, 4]
        .Select(segments => string.Join('/', segments));
}
