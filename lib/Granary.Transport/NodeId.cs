using System.Security.Cryptography.X509Certificates;
using Granary.Hashing;

namespace Granary.Transport;

/// <summary>
/// A node's identity: the BLAKE3 hash of its public key (DER SubjectPublicKeyInfo), printed as
/// 52 lowercase base32 characters. Connections are made to a node id, not a host name, and the
/// handshake proves the peer holds the matching private key.
/// </summary>
public readonly record struct NodeId
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private readonly Blake3Hash _hash;

    private NodeId(Blake3Hash hash) => _hash = hash;

    /// <summary>The node id of a public key given as DER SubjectPublicKeyInfo.</summary>
    public static NodeId FromPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo) => new(Blake3.Hash(subjectPublicKeyInfo));

    /// <summary>The node id of the key in a DER certificate.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The bytes are not a certificate.</exception>
    public static NodeId FromCertificate(byte[] certificateDer)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        return FromPublicKey(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Parses the printed form; throws with what is wrong.</summary>
    /// <exception cref="FormatException">Not 52 base32 characters.</exception>
    public static NodeId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a node id: expected 52 characters of a-z and 2-7.");

    /// <summary>Parses the printed form.</summary>
    public static bool TryParse(string? text, out NodeId id)
    {
        id = default;
        if (text is null || text.Length != 52)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[33];
        int bits = 0, value = 0, written = 0;
        foreach (char c in text)
        {
            int digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 5) | digit;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)(value >> bits);
                value &= (1 << bits) - 1;
            }
        }

        // 52 characters carry 260 bits: 256 of hash and 4 that must be zero.
        if (written != 32 || value != 0)
        {
            return false;
        }

        id = new NodeId(new Blake3Hash(bytes[..32]));
        return true;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[32];
        _hash.CopyTo(bytes);
        var text = new System.Text.StringBuilder(52);
        int bits = 0, value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Alphabet[(value >> bits) & 31]);
            }
        }

        return text.Append(Alphabet[(value << (5 - bits)) & 31]).ToString();
    }
}
