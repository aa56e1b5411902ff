using System.Globalization;
using CsCheck;
using Granary.Gossip.Topics;
using Granary.Hashing;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the JSON that anyone with the token may publish on the two fixed topics:
/// <see cref="ProviderMessage.TryParse"/> (provider discovery) and <see cref="ClusterEvent.TryParse"/>
/// (cluster events), with valid messages as <c>ToBytes</c> writes them, edited (JSON tokens, deep
/// nesting, broken UTF-8, huge numbers) and raw bytes. Proves: both answer null for what is not a
/// message and never throw; valid messages read back equal; accepted ones survive a round trip;
/// within the time and allocation bounds.
/// </summary>
public sealed class TopicJsonFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<string> Nonce = Gen.ULong.Select(n => n.ToString("x16", CultureInfo.InvariantCulture));

    private static readonly Gen<ProviderMessage> Provider = Gen.OneOf(
        Gen.Select(Values.Hash, Nonce, (hash, nonce) => new ProviderMessage(hash.ToString(), null, null, nonce)),
        Gen.Select(Values.Hash, Values.Ticket, Nonce, (hash, ticket, nonce) => new ProviderMessage(null, hash.ToString(), ticket.ToString(), nonce)));

    private static readonly Gen<ClusterEvent> Event = Gen.Select(
        Gen.OneOf("silo-started", "silo-stopping", "draining", "membership", "repair"),
        Values.Ticket,
        Values.Time,
        Gen.OneOf("Joining", "Active", "ShuttingDown", "Stopping", "Dead").Null(0.5),
        Gen.Long[0, 1 << 30].Nullable(0.5),
        (kind, silo, time, status, count) => new ClusterEvent(kind, silo.ToString(), time) { Status = status, Count = count });

    [Fact]
    public void ProviderMessage_TryParse_never_throws() =>
        FuzzRunner.Run(output, "ProviderMessage.TryParse", Inputs.Bytes(Provider.Select(m => m.ToBytes())), input => input.Bytes.Length, input =>
        {
            ProviderMessage? message = Documented.Total("ProviderMessage.TryParse", () => ProviderMessage.TryParse(input.Bytes));
            Documented.Require(message is not null || !input.Valid, "a valid provider message was not read");
            if (message is null)
            {
                return false;
            }

            if (message.Have is { } have && Blake3Hash.TryParse(have, out Blake3Hash hash))
            {
                // What a downloader does with a have: its provider ticket, if it is one (never an exception).
                _ = Documented.Total("ProviderMessage.ProviderOf", () => message.ProviderOf(hash));
            }

            Documented.Require(ProviderMessage.TryParse(message.ToBytes()) == message, "an accepted provider message does not survive a round trip");
            return true;
        });

    [Fact]
    public void ClusterEvent_TryParse_never_throws() =>
        FuzzRunner.Run(output, "ClusterEvent.TryParse", Inputs.Bytes(Event.Select(e => e.ToBytes())), input => input.Bytes.Length, input =>
        {
            ClusterEvent? happened = Documented.Total("ClusterEvent.TryParse", () => ClusterEvent.TryParse(input.Bytes));
            Documented.Require(happened is not null || !input.Valid, "a valid cluster event was not read");
            if (happened is null)
            {
                return false;
            }

            _ = Documented.Total("ClusterEvent.ToString", happened.ToString);
            Documented.Require(ClusterEvent.TryParse(happened.ToBytes()) == happened, "an accepted cluster event does not survive a round trip");
            return true;
        });
}
