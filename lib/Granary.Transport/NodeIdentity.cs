using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Transport;

/// <summary>
/// A node's key pair (ECDSA P-256) and the self-signed TLS certificate that presents it. The key
/// persists in a file so the node id survives restarts; the certificate is made fresh at each
/// load, because only the key matters to peers.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    private readonly ECDsa _key;

    private NodeIdentity(ECDsa key)
    {
        _key = key;
        Id = NodeId.FromPublicKey(key.ExportSubjectPublicKeyInfo());
        var request = new CertificateRequest($"CN={Id}", key, HashAlgorithmName.SHA256);

        // webpki (rustls' parser) rejects a v3 certificate without extensions; these are the
        // ordinary ones of an end-entity certificate. Peers check the key, never the name.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("granary");
        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        CertificateDer = certificate.RawData;
        PrivateKeyPkcs8 = key.ExportPkcs8PrivateKey();
    }

    /// <summary>This node's id.</summary>
    public NodeId Id { get; }

    internal byte[] CertificateDer { get; }

    internal byte[] PrivateKeyPkcs8 { get; }

    /// <summary>A new identity that lives only in memory (clients that need no stable id, tests).</summary>
    public static NodeIdentity CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// Loads the key from <paramref name="path"/> (PKCS#8 PEM), creating it on first use with
    /// owner-only permissions.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but holds no usable key; the message says which file.</exception>
    public static NodeIdentity LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            catch (Exception error) when (error is ArgumentException or CryptographicException)
            {
                key.Dispose();
                throw new InvalidDataException($"{path} does not hold a node key (PKCS#8 PEM, ECDSA P-256): {error.Message} Move it away to create a new identity.", error);
            }

            return new NodeIdentity(key);
        }

        key.Dispose();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, create))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
            writer.Flush();
            file.Flush(flushToDisk: true);
        }

        // Rename into place only once written, so a crash never leaves a truncated key.
        File.Move(temporary, path, overwrite: false);
        return new NodeIdentity(key);
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
