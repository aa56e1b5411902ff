using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>A blob on a silo: <c>granary:NODEID@ADDRESS/HASH</c>. Everything needed to fetch it.</summary>
public sealed record BlobTicket(SiloTicket Silo, Blake3Hash Hash)
{
    /// <summary>Parses a blob ticket.</summary>
    /// <exception cref="FormatException">Not a blob ticket; the message shows the expected form.</exception>
    public static BlobTicket Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.Trim().LastIndexOf('/');
        if (slash < 0 || !Blake3Hash.TryParse(text.Trim().AsSpan(slash + 1), out Blake3Hash hash))
        {
            throw new FormatException($"'{text}' is not a blob ticket: expected granary:<node id>@<ip>:<port>/<64 hex digits>.");
        }

        return new BlobTicket(SiloTicket.Parse(text), hash);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Silo}/{Hash}";
}
