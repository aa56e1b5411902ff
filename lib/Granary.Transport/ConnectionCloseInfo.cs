namespace Granary.Transport;

/// <summary>Why a connection ended.</summary>
/// <param name="Error">The kind of ending (<see cref="QuicError.ConnectionAborted"/> when the peer closed it).</param>
/// <param name="ApplicationErrorCode">The code given by whoever closed it, if an application did.</param>
/// <param name="Reason">The reason text sent with the close, or a description.</param>
public sealed record ConnectionCloseInfo(QuicError Error, long? ApplicationErrorCode, string Reason);
