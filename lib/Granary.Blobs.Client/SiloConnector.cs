using Granary.Blobs.Protocol;

namespace Granary.Blobs.Client;

/// <summary>
/// Opens an authenticated client to another silo of the cluster, for a download that uses more
/// than the silo first asked (<see cref="BlobFetcher"/>). The CLI passes
/// <see cref="BlobClient.ConnectAsync"/> with its token; a PowerShell session its own. The caller
/// of the connector disposes the client.
/// </summary>
/// <param name="silo">The silo to connect to.</param>
/// <param name="cancellationToken">Stops the connect.</param>
/// <returns>A connected client of <paramref name="silo"/>.</returns>
/// <exception cref="Transport.QuicException">The silo could not be reached, or is not that node.</exception>
/// <exception cref="BlobProtocolException">The silo refused the token (401).</exception>
public delegate Task<BlobClient> SiloConnector(SiloTicket silo, CancellationToken cancellationToken);
