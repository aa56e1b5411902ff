using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Orleans;

/// <summary>
/// The certificates that authenticate and encrypt silo-to-silo traffic (Orleans messaging over
/// TLS): a cluster authority, created by the first silo and kept in the cluster database
/// (<c>granary_settings</c>, key <c>tls-authority</c>), and a short-lived certificate it issues to
/// each silo at start. A peer is accepted only if its certificate chains to this cluster's
/// authority, so a silo of another cluster (or anything without the authority's key) is refused
/// in the handshake — the guarantee the QUIC node keys gave the old RPC.
/// </summary>
/// <remarks>
/// The authority's key lives where the cluster's membership lives: whoever can write the database
/// can already add silos. ECDSA P-256 rather than the silos' Ed25519 node keys, because .NET's
/// TLS stack does not support Ed25519 certificates.
/// </remarks>
public sealed class ClusterCertificates : IDisposable
{
    /// <summary>The <c>granary_settings</c> key of the authority (PKCS#12, base64).</summary>
    public const string SettingKey = "tls-authority";

    private ClusterCertificates(X509Certificate2 authority, X509Certificate2 silo)
    {
        Authority = authority;
        Silo = silo;
    }

    /// <summary>The cluster authority's certificate (no private key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This silo's certificate, with its private key; valid for 30 days from its start.</summary>
    public X509Certificate2 Silo { get; }

    /// <summary>Reads (or, on the first silo, creates) the cluster authority and issues this silo's certificate.</summary>
    /// <param name="settings">The cluster's settings table.</param>
    /// <param name="siloName">The certificate's subject common name (the silo's node id; at most 64 characters).</param>
    /// <param name="cancellationToken">Cancels the database access.</param>
    /// <exception cref="Npgsql.NpgsqlException">The database could not be reached.</exception>
    /// <exception cref="CryptographicException">The stored authority is not a usable certificate with a key.</exception>
    public static async Task<ClusterCertificates> LoadAsync(ClusterSettings settings, string siloName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string stored = await settings.GetOrCreateAsync(SettingKey, NewAuthority(), cancellationToken).ConfigureAwait(false);
        using X509Certificate2 authority = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(stored), password: null);
        return new ClusterCertificates(X509CertificateLoader.LoadCertificate(authority.RawData), Issue(authority, siloName));
    }

    /// <summary>True if <paramref name="certificate"/> was issued by this cluster's authority and is within its validity.</summary>
    public bool IsMember(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Authority.Dispose();
        Silo.Dispose();
    }

    private static string NewAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Granary cluster authority", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 authority = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        return Convert.ToBase64String(authority.Export(X509ContentType.Pkcs12));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string siloName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(siloName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 issued = request.Create(authority, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12 once: SslStream on Linux needs a key it can hand to OpenSSL, not an ephemeral CNG-style handle.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }
}
