using System.Security.Cryptography;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.Transfers.Vouchers;

/// <summary>
/// Granary's first voucher type, <c>granary/grant/1</c>: a cluster's signed permission for one
/// other node to push blobs into it or pull blobs from it, for named hashes, up to a byte quota,
/// until an expiry. The signature is ECDSA P-256 with SHA-256 over the bencoded grant without its
/// <c>sig</c> field (canonical bencode: one encoding per grant), by a key the validating cluster
/// trusts — its own authority key (the one that issues its silos' TLS certificates).
/// </summary>
public sealed record Grant
{
    /// <summary>The voucher type name this grant is sent under.</summary>
    public const string VoucherType = "granary/grant/1";

    /// <summary>Most hashes one grant names (bounds what a network peer can make a validator read).</summary>
    public const int MaxHashes = 256;

    /// <summary>BLAKE3 of the signing key's SubjectPublicKeyInfo: which trusted key to check it with.</summary>
    public required Blake3Hash Issuer { get; init; }

    /// <summary>The only node that may use it (the channel's other side as the validator sees it).</summary>
    public required NodeId Counterparty { get; init; }

    /// <summary>Push: the counterparty may send to the issuer's cluster; Pull: it may fetch from it.</summary>
    public required TransferDirection Direction { get; init; }

    /// <summary>The blobs or collections it covers (1 to <see cref="MaxHashes"/>).</summary>
    public required IReadOnlyList<Blake3Hash> Hashes { get; init; }

    /// <summary>Bytes one channel may move under it; more pauses the channel for a new voucher.</summary>
    public required long ByteQuota { get; init; }

    /// <summary>When it stops being valid (UTC, whole milliseconds).</summary>
    public required DateTimeOffset Expires { get; init; }

    /// <summary>A random number that makes two grants with the same terms differ.</summary>
    public required long Nonce { get; init; }

    /// <summary>The issuer's signature (DER-free IEEE P1363 form, 64 bytes); empty before signing.</summary>
    public ReadOnlyMemory<byte> Signature { get; init; }

    /// <summary>Signs the terms with <paramref name="key"/> (an ECDSA P-256 private key) and returns the signed grant.</summary>
    /// <exception cref="ArgumentException">The key is not P-256, or the grant's terms are out of bounds.</exception>
    public Grant SignWith(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 256)
        {
            throw new ArgumentException($"A grant is signed with an ECDSA P-256 key; this key has {key.KeySize} bits.", nameof(key));
        }

        Grant terms = this with { Issuer = KeyId(key) };
        terms.CheckTerms();
        return terms with { Signature = key.SignData(terms.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) };
    }

    /// <summary>True if the signature verifies with <paramref name="key"/> (the issuer's public key).</summary>
    public bool IsSignedBy(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Issuer == KeyId(key) && Signature.Length == 64
            && key.VerifyData(SignedBytes(), Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>The id a key is named by in <see cref="Issuer"/>: BLAKE3 of its SubjectPublicKeyInfo.</summary>
    public static Blake3Hash KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Blake3.Hash(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The voucher that carries this grant on a channel.</summary>
    public Voucher ToVoucher() => new(VoucherType, Encode(withSignature: true));

    /// <summary>Reads a grant from a voucher body.</summary>
    /// <exception cref="FormatException">Not a grant: the message says which field is wrong.</exception>
    public static Grant Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length > Voucher.MaxBodyBytes)
        {
            throw new FormatException($"the grant is {body.Length} bytes; the most accepted is {Voucher.MaxBodyBytes}");
        }

        try
        {
            if (Bencode.Decode(body) is not SortedDictionary<string, object> fields)
            {
                throw new FormatException("a grant is a bencoded dictionary");
            }

            var block = new MetadataBlock(fields);
            string counterparty = block.Text("peer") ?? throw new FormatException("the grant has no 'peer'");
            Grant grant = new()
            {
                Issuer = block.Hash("issuer") ?? throw new FormatException("the grant has no 'issuer'"),
                Counterparty = NodeId.TryParse(counterparty, out NodeId peer) ? peer : throw new FormatException($"the grant's 'peer' '{counterparty}' is not a node id"),
                Direction = block.Text("dir") switch
                {
                    "push" => TransferDirection.Push,
                    "pull" => TransferDirection.Pull,
                    var other => throw new FormatException($"the grant's 'dir' must be push or pull, not '{other}'"),
                },
                Hashes = block.Fields.TryGetValue("hashes", out object? list) && list is List<object> items
                    ? [.. items.Select(h => h is byte[] { Length: Blake3Hash.Size } bytes ? new Blake3Hash(bytes) : throw new FormatException("each of the grant's 'hashes' must be 32 bytes"))]
                    : throw new FormatException("the grant has no 'hashes' list"),
                ByteQuota = block.Number("quota") ?? throw new FormatException("the grant has no 'quota'"),
                Expires = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(block.Number("expires") ?? throw new FormatException("the grant has no 'expires'"), 0, 253_402_300_799_999)),
                Nonce = block.Number("nonce") ?? throw new FormatException("the grant has no 'nonce'"),
                Signature = block.Bytes("sig") ?? throw new FormatException("the grant is not signed ('sig' is missing)"),
            };
            grant.CheckTerms();
            return grant;
        }
        catch (BencodeException error)
        {
            throw new FormatException($"the grant is not valid bencode: {error.Message}", error);
        }
        catch (BlobProtocolException error)
        {
            throw new FormatException($"the grant is malformed: {error.Message}", error);
        }
        catch (ArgumentException error)
        {
            throw new FormatException($"the grant is malformed: {error.Message}", error);
        }
    }

    private void CheckTerms()
    {
        if (Hashes.Count is 0 or > MaxHashes)
        {
            throw new ArgumentException($"a grant names 1 to {MaxHashes} hashes, not {Hashes.Count}");
        }

        if (ByteQuota <= 0)
        {
            throw new ArgumentException($"a grant's byte quota must be positive, not {ByteQuota}");
        }
    }

    private byte[] SignedBytes() => Encode(withSignature: false);

    private byte[] Encode(bool withSignature)
    {
        var fields = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["dir"] = Direction == TransferDirection.Push ? "push" : "pull",
            ["expires"] = Expires.ToUnixTimeMilliseconds(),
            ["hashes"] = Hashes.Select(h => (object)h.ToArray()).ToList(),
            ["issuer"] = Issuer.ToArray(),
            ["nonce"] = Nonce,
            ["peer"] = Counterparty.ToString(),
            ["quota"] = ByteQuota,
        };
        if (withSignature)
        {
            fields["sig"] = Signature.ToArray();
        }

        return Bencode.Encode(fields);
    }
}
