using CsCheck;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Hashing;
using Granary.Transport;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the text a user pastes or a peer sends for a silo or a blob: <see cref="SiloTicket.Parse"/>,
/// <see cref="BlobTicket.Parse"/>, <see cref="NodeId.Parse"/>, <see cref="Blake3Hash.Parse"/>, the
/// CLI's and cmdlets' <see cref="SiloTicketReader.Parse"/> and <see cref="TopicId.FromText"/>, with
/// valid values' printed forms, edited (separators, ports, IPv6 brackets and scopes, base32 and hex
/// out of range, Unicode look-alikes, surrogates, splices) and random text. Proves: each refuses only
/// with its documented exception (<see cref="FormatException"/>, <see cref="GranaryCommandException"/>,
/// <see cref="ArgumentException"/>); valid values read back equal; what is accepted prints to a form
/// that reads back the same; within the time and allocation bounds.
/// </summary>
public sealed class TicketFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void SiloTicket_is_parsed_or_refused_with_FormatException() =>
        Run("SiloTicket.Parse", Values.Ticket.Select(t => t.ToString()), SiloTicket.Parse, t => t.ToString(), Rejection.Of<FormatException>());

    [Fact]
    public void BlobTicket_is_parsed_or_refused_with_FormatException() =>
        Run("BlobTicket.Parse", Values.BlobTicket.Select(t => t.ToString()), BlobTicket.Parse, t => t.ToString(), Rejection.Of<FormatException>());

    [Fact]
    public void NodeId_is_parsed_or_refused_with_FormatException() =>
        Run("NodeId.Parse", Values.Node.Select(n => n.ToString()), NodeId.Parse, n => n.ToString(), Rejection.Of<FormatException>());

    [Fact]
    public void Blake3Hash_is_parsed_or_refused_with_FormatException() =>
        Run("Blake3Hash.Parse", Values.Hash.Select(h => h.ToString()), Blake3Hash.Parse, h => h.ToString(), Rejection.Of<FormatException>());

    [Fact]
    public void SiloTicketReader_parses_or_refuses_with_GranaryCommandException() =>
        Run("SiloTicketReader.Parse", Gen.OneOf(Values.Ticket.Select(t => t.ToString()), Values.BlobTicket.Select(t => t.ToString())), SiloTicketReader.Parse, t => t.ToString(), Rejection.Of<GranaryCommandException>(), exact: false);

    [Fact]
    public void TopicId_FromText_reads_any_text_but_empty() =>
        Run("TopicId.FromText", Gen.OneOf(GossipMessages.Topic.Select(t => t.ToString()), Values.Text(1, 30)), TopicId.FromText, t => t.ToString(), Rejection.Of<ArgumentException>(), exact: false);

    private void Run<T>(string parser, Gen<string> valid, Func<string, T> parse, Func<T, string> print, Rejection documented, bool exact = true)
        where T : notnull =>
        FuzzRunner.Run(output, parser, Inputs.Texts(valid), input => input.Size, input =>
        {
            if (!Documented.TryParse(parser, () => parse(input.Text), out T value, documented))
            {
                Documented.Require(!input.Valid, $"a valid text was refused by {parser}");
                return false;
            }

            // A blob ticket given to the reader names its silo; a topic name prints as its id: those read back equal, not verbatim.
            string printed = print(value);
            if (input.Valid && exact)
            {
                Documented.Require(printed == input.Text, $"a valid text read back as '{printed}'");
            }

            Documented.Require(Documented.TryParse($"{parser} (re-read)", () => parse(printed), out T again, documented), $"an accepted value prints as '{printed}', which {parser} refuses");
            Documented.Require(again.Equals(value) && print(again) == printed, $"an accepted value does not survive a round trip through '{printed}'");
            return true;
        });
}
