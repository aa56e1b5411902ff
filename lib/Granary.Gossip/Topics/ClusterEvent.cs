using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Blobs.Protocol;

namespace Granary.Gossip.Topics;

/// <summary>
/// One message of the cluster-events topic (<see cref="TopicsProtocol.ClusterEventsTopic"/>), as JSON:
/// <c>{"event":"silo-started","silo":"TICKET","time":"2026-12-03T07:00:00+00:00"}</c>. Events:
/// <c>silo-started</c>, <c>silo-stopping</c> and <c>draining</c> (by the silo itself),
/// <c>membership</c> (a silo's Orleans status changed; <see cref="Status"/>; published by the
/// oldest active silo), <c>repair</c> (a silo's count of blobs short of R copies changed;
/// <see cref="Count"/>).
/// </summary>
/// <param name="Event">The kind, one of the words above.</param>
/// <param name="Silo">The silo it is about: its ticket.</param>
/// <param name="Time">When it was published.</param>
public sealed record ClusterEvent(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("silo")] string Silo,
    [property: JsonPropertyName("time")] DateTimeOffset Time)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>For <c>membership</c>: Orleans' status (Joining, Active, ShuttingDown, Stopping, Dead).</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>For <c>repair</c>: blobs short of R copies on that silo.</summary>
    [JsonPropertyName("count")]
    public long? Count { get; init; }

    /// <summary>The message's bytes (UTF-8 JSON).</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a message of the cluster-events topic; null if it is not one (anyone with the token may publish there).</summary>
    public static ClusterEvent? TryParse(ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<ClusterEvent>(content, Json) is { Event: not null, Silo: not null } e ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One line for a person: time, event, silo and the detail.</summary>
    public override string ToString()
    {
        // Its fields came over the network: printed with their control characters escaped.
        string detail = RemoteText.Printable(Status) ?? (Count is { } count ? count.ToString(CultureInfo.InvariantCulture) + " blobs short of R copies" : "");
        return string.Create(CultureInfo.InvariantCulture, $"{Time.ToUniversalTime():HH:mm:ss}  {RemoteText.Printable(Event),-14} {RemoteText.Printable(Silo)}  {detail}").TrimEnd();
    }
}
