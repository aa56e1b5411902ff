namespace Granary.Blobs.Protocol;

/// <summary>A malformed or oversized bencoded message; the message says where.</summary>
public sealed class BencodeException(string message) : FormatException(message);
