using System.Globalization;
using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>One edit of a text message (a ticket, a check line, a voucher line); positions reduced modulo the length, as <see cref="ByteMutation"/>.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Where">Where (modulo the length).</param>
/// <param name="Extent">How much.</param>
/// <param name="Choice">Which interesting value or token.</param>
public sealed record TextMutation(MutationKind Kind, uint Where, uint Extent, int Choice)
{
    /// <summary><paramref name="input"/> with this edit; <paramref name="other"/> is the second text a splice takes its end from.</summary>
    public string Apply(string input, string other)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(other);
        int length = input.Length;
        int at = (int)(Where % (uint)(length + 1));
        var text = new StringBuilder(input);
        switch (Kind)
        {
            case MutationKind.FlipBit when length > 0:
                text[at % length] = (char)(text[at % length] ^ (1 << (int)(Extent % 16)));
                break;
            case MutationKind.SetValue when length > 0:
                text[at % length] = Extent % 4 == 0 ? (char)Choice : Interesting.Chars[Choice % Interesting.Chars.Length];
                break;
            case MutationKind.InsertToken:
                string token = Interesting.TextTokens[Choice % Interesting.TextTokens.Length];
                text.Insert(at, token, Extent % 8 == 0 ? 1 + (int)(Extent % 300) : 1);
                break;
            case MutationKind.InsertRandom:
                uint state = (uint)Choice | 1;
                for (int i = 0; i < 1 + (int)(Extent % 16); i++)
                {
                    state = (state * 1664525) + 1013904223;
                    text.Insert(at, (char)(state >> (Extent % 2 == 0 ? 25 : 16))); // ASCII half the time, any UTF-16 unit otherwise.
                }

                break;
            case MutationKind.Delete when length > 0:
                text.Remove(at % length, Math.Min(1 + (int)(Extent % 32), length - (at % length)));
                break;
            case MutationKind.Truncate:
                text.Length = at;
                break;
            case MutationKind.Duplicate when length > 0:
                int start = at % length;
                int run = Math.Min(1 + (int)(Extent % 64), length - start);
                text.Insert(start + run, input.AsSpan(start, run));
                break;
            case MutationKind.ReplaceNumber:
                return ReplaceNumber(input);
            case MutationKind.Splice:
                return input[..at] + other[(int)(Extent % (uint)(other.Length + 1))..];
            default:
                break;
        }

        return text.ToString();
    }

    private string ReplaceNumber(string input)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < input.Length;)
        {
            int j = i;
            while (j < input.Length && char.IsAsciiDigit(input[j]))
            {
                j++;
            }

            if (j > i)
            {
                runs.Add((i, j - i));
            }

            i = j + 1;
        }

        if (runs.Count == 0)
        {
            return input;
        }

        (int runStart, int runLength) = runs[(int)(Where % (uint)runs.Count)];
        string replacement = Extent % 3 == 0 && long.TryParse(input.AsSpan(runStart, runLength), NumberStyles.None, CultureInfo.InvariantCulture, out long old)
            ? (old + (Choice % 5) - 2).ToString(CultureInfo.InvariantCulture)
            : Interesting.Numbers[Choice % Interesting.Numbers.Length];
        return string.Concat(input.AsSpan(0, runStart), replacement, input.AsSpan(runStart + runLength));
    }
}
