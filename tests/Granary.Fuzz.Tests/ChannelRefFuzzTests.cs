using CsCheck;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the channel names a user types or a grain key carries: <see cref="ChannelRef.Parse"/>
/// (<c>ID</c>, <c>INITIATOR/ID</c>, <c>INITIATOR:RESPONDER:ID</c>) and <see cref="ChannelId.Parse"/>,
/// with valid names, edited and random text. Proves: both refuse only with
/// <see cref="FormatException"/>; valid names read back equal; accepted ones print to a name that
/// reads back the same; within the time and allocation bounds.
/// </summary>
public sealed class ChannelRefFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<ChannelId> Id = Gen.Select(Values.Node, Values.Node, TransferMessages.TransferId, (initiator, responder, id) => new ChannelId(initiator, responder, id));

    [Fact]
    public void ChannelRef_is_parsed_or_refused_with_FormatException() =>
        Run("ChannelRef.Parse", Gen.OneOf(TransferMessages.Ref.Select(r => r.ToString()), Id.Select(i => i.ToString())), ChannelRef.Parse, r => r.ToString(), exact: false);

    [Fact]
    public void ChannelId_is_parsed_or_refused_with_FormatException() =>
        Run("ChannelId.Parse", Id.Select(i => i.ToString()), ChannelId.Parse, i => i.ToString(), exact: true);

    private void Run<T>(string parser, Gen<string> valid, Func<string, T> parse, Func<T, string> print, bool exact)
        where T : struct =>
        FuzzRunner.Run(output, parser, Inputs.Texts(valid), input => input.Size, input =>
        {
            if (!Documented.TryParse(parser, () => parse(input.Text), out T value, Rejection.Of<FormatException>()))
            {
                Documented.Require(!input.Valid, $"a valid name was refused by {parser}");
                return false;
            }

            string printed = print(value);
            Documented.Require(!input.Valid || !exact || printed == input.Text, $"a valid name read back as '{printed}'");
            Documented.Require(Documented.TryParse($"{parser} (re-read)", () => parse(printed), out T again, Rejection.Of<FormatException>()) && again.Equals(value), $"an accepted name prints as '{printed}', which does not read back the same");
            return true;
        });
}
