using Microsoft.Extensions.Logging;

namespace Granary.Transport;

/// <summary>The transport's log messages (source-generated: no work when the level is off).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} protocol handlers did not finish within {Timeout}; closing their connections")]
    public static partial void HandlersOverran(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {Connection} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, QuicConnection connection, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Protocol} handler failed on {Connection}")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string protocol, QuicConnection connection);
}
