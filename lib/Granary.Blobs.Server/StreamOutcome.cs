namespace Granary.Blobs.Server;

/// <summary>How a request stream ended, for the transport loop to act on.</summary>
public enum StreamOutcome
{
    /// <summary>Replied in full (or the client went away): end the reply with FIN.</summary>
    Finished,

    /// <summary>The token was wrong: the reply is written; close the connection with 401.</summary>
    CloseConnection,

    /// <summary>The silo is stopping mid-request: reset the stream with 503 ("retry elsewhere"), never FIN.</summary>
    Abandoned,
}
