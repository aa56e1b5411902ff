using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Gossip.Topics;

/// <summary>
/// A message of a blob's provider topic (<see cref="TopicFor"/>), as JSON: a downloader's
/// <c>{"want":HASH,"nonce":N}</c>, or a provider's <c>{"have":HASH,"provider":TICKET,"nonce":N}</c>
/// (the nonce of the want it answers, or its own when it announces itself). Nonces keep each
/// message distinct: the swarm drops a copy of content it saw in the last 90 s. Nobody has to
/// trust a provider: every byte it serves is verified against the hash, so a liar only costs time.
/// </summary>
/// <param name="Want">The hash a downloader asks for, or null.</param>
/// <param name="Have">The hash a provider serves, or null.</param>
/// <param name="Provider">For <paramref name="Have"/>: where to fetch it (a ticket).</param>
/// <param name="Nonce">16 hex digits.</param>
public sealed record ProviderMessage(
    [property: JsonPropertyName("want")] string? Want,
    [property: JsonPropertyName("have")] string? Have,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("nonce")] string Nonce)
{
    /// <summary>The topic name prefix: a blob's provider topic is this and its hash in hex.</summary>
    public const string TopicPrefix = "granary/providers/";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The name of <paramref name="hash"/>'s provider topic.</summary>
    public static string TopicFor(Blake3Hash hash) => TopicPrefix + hash;

    /// <summary>A downloader's question, with a fresh nonce.</summary>
    public static ProviderMessage Wanting(Blake3Hash hash) => new(hash.ToString(), null, null, NewNonce());

    /// <summary>A provider's answer to <paramref name="nonce"/> (or its own announcement, with a fresh nonce).</summary>
    public static ProviderMessage Having(Blake3Hash hash, SiloTicket provider, string? nonce = null) => new(null, hash.ToString(), provider.ToString(), nonce ?? NewNonce());

    /// <summary>The message's bytes (UTF-8 JSON).</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a provider-topic message; null if it is not a well-formed one (anyone with the token may publish there).</summary>
    public static ProviderMessage? TryParse(ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<ProviderMessage>(content, Json) is { Nonce.Length: 16 } m && (m.Want is null) != (m.Have is null) && (m.Have is null || m.Provider is not null) ? m : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For a <c>have</c> of <paramref name="hash"/>: the provider's ticket, if it is one.</summary>
    public SiloTicket? ProviderOf(Blake3Hash hash)
    {
        if (Have != hash.ToString() || Provider is null)
        {
            return null;
        }

        try
        {
            return SiloTicket.Parse(Provider);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
