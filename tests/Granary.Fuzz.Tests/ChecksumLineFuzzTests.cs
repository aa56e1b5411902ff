using System.Text;
using CsCheck;
using Granary.Cli.Hashing;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <c>granary hash --check</c>'s reading of a b3sum check file a user supplies: each line's
/// bytes decoded as strict UTF-8 (as the check runner does; a line that is not UTF-8 stops the check,
/// as in b3sum) and then <see cref="ChecksumLine.TryParse"/>. Inputs: valid lines as b3sum writes them
/// (names escaped when they hold '\' or a newline), edited (hex case and length, separators, escapes,
/// NUL, U+FFFD, broken UTF-8, carriage returns) and raw bytes. Proves: it never throws (it answers a
/// problem); valid lines read back their hash and name; an accepted line's hash is 64 lowercase hex
/// digits and its name, written again the b3sum way, reads back the same; within the time and
/// allocation bounds.
/// </summary>
public sealed class ChecksumLineFuzzTests(ITestOutputHelper output)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Gen<string> Names = Gen.Frequency(
        (4, Values.Text(1, 40)),
        (1, Gen.Select(Values.Text(0, 10), Gen.OneOf("\\", "\n", "\r", "\\n", "\t"), Values.Text(0, 10), (a, b, c) => a + b + c)));

    private static readonly Gen<byte[]> ValidLines = Gen.Select(Values.Hash, Names, (hash, name) => Encoding.UTF8.GetBytes(Line(hash.ToString(), name)));

    [Fact]
    public void Check_lines_are_read_or_refused_with_a_problem_and_never_throw() =>
        FuzzRunner.Run(output, "ChecksumLine.TryParse", Inputs.Bytes(ValidLines), input => 3L * input.Bytes.Length, input =>
        {
            string line;
            try
            {
                line = StrictUtf8.GetString(input.Bytes);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: the check runner stops at this line before it is parsed (b3sum does too).
                return false;
            }

            (string Hex, string Name, string Shown)? entry = Documented.Total("ChecksumLine.TryParse", () => ChecksumLine.TryParse(line, out _));
            if (entry is not { } parsed)
            {
                Documented.Require(!input.Valid, "a valid check line was refused");
                return false;
            }

            Documented.Require(parsed.Hex.Length == 64 && parsed.Hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')), $"an accepted line's hash is {Printer.Text(parsed.Hex)}");
            Documented.Require(!parsed.Name.Contains('\0', StringComparison.Ordinal) && parsed.Name.Length > 0, "an accepted line names an impossible path");
            string again = Line(parsed.Hex, parsed.Name);
            Documented.Require(!input.Valid || again == line, $"a valid line reads back as {Printer.Text(again)}");
            Documented.Require(ChecksumLine.TryParse(again, out string? reason) is { } reread && reread.Hex == parsed.Hex && reread.Name == parsed.Name, $"an accepted line, written again as {Printer.Text(again)}, does not read back the same: {reason}");
            return true;
        });

    /// <summary>A line as b3sum writes it: a name with '\' or a newline escaped, and the line then starts with '\'.</summary>
    private static string Line(string hex, string name) =>
        ChecksumLine.NeedsEscape(name) ? $"\\{hex}  {ChecksumLine.Escape(name)}" : $"{hex}  {name}";
}
