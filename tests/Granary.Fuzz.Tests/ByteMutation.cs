using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>
/// One edit of a byte message. Positions are raw numbers reduced modulo the message's length when
/// applied, so one generated edit fits any message (and CsCheck can shrink it like any number).
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="Where">Where (modulo the length).</param>
/// <param name="Extent">How much: a bit index, a run length, a repeat count, a splice point in the other message.</param>
/// <param name="Choice">Which interesting value or token.</param>
public sealed record ByteMutation(MutationKind Kind, uint Where, uint Extent, int Choice)
{
    /// <summary><paramref name="input"/> with this edit; <paramref name="other"/> is the second message a splice takes its end from.</summary>
    public byte[] Apply(byte[] input, byte[] other)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(other);
        int length = input.Length;
        int at = (int)(Where % (uint)(length + 1));
        var bytes = new List<byte>(input);
        switch (Kind)
        {
            case MutationKind.FlipBit when length > 0:
                bytes[at % length] ^= (byte)(1 << (int)(Extent % 8));
                break;
            case MutationKind.SetValue when length > 0:
                bytes[at % length] = Extent % 4 == 0 ? (byte)Choice : Interesting.Bytes[Choice % Interesting.Bytes.Length];
                break;
            case MutationKind.InsertToken:
                byte[] token = Interesting.ByteTokens[Choice % Interesting.ByteTokens.Length];
                // Now and then many copies: a nesting bomb ("llll…"), a flood of tiny values.
                int copies = Extent % 8 == 0 ? 1 + (int)(Extent % 300) : 1;
                bytes.InsertRange(at, Enumerable.Repeat(token, copies).SelectMany(t => t));
                break;
            case MutationKind.InsertRandom:
                bytes.InsertRange(at, Noise(1 + (int)(Extent % 24), Choice));
                break;
            case MutationKind.Delete when length > 0:
                bytes.RemoveRange(at % length, Math.Min(1 + (int)(Extent % 32), length - (at % length)));
                break;
            case MutationKind.Truncate:
                bytes.RemoveRange(at, length - at);
                break;
            case MutationKind.Duplicate when length > 0:
                int start = at % length;
                int run = Math.Min(1 + (int)(Extent % 64), length - start);
                bytes.InsertRange(start + run, input.AsSpan(start, run).ToArray());
                break;
            case MutationKind.ReplaceNumber:
                return ReplaceNumber(input);
            case MutationKind.Splice:
                int from = (int)(Extent % (uint)(other.Length + 1));
                return [.. input.AsSpan(0, at), .. other.AsSpan(from)];
            default:
                break;
        }

        return [.. bytes];
    }

    /// <summary>Replaces one run of ASCII digits (a length prefix, an integer) with an extreme or off-by-one number.</summary>
    private byte[] ReplaceNumber(byte[] input)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < input.Length;)
        {
            int j = i;
            while (j < input.Length && input[j] is >= (byte)'0' and <= (byte)'9')
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
        string replacement = Extent % 3 == 0 && long.TryParse(Encoding.ASCII.GetString(input, runStart, runLength), out long old)
            ? (old + (Choice % 5) - 2).ToString(System.Globalization.CultureInfo.InvariantCulture) // Off by a little: a length one short or long.
            : Interesting.Numbers[Choice % Interesting.Numbers.Length];
        return [.. input.AsSpan(0, runStart), .. Encoding.ASCII.GetBytes(replacement), .. input.AsSpan(runStart + runLength)];
    }

    private static byte[] Noise(int count, int seed)
    {
        byte[] noise = new byte[count];
        uint state = (uint)seed | 1;
        for (int i = 0; i < count; i++)
        {
            state = (state * 1664525) + 1013904223;
            noise[i] = (byte)(state >> 24);
        }

        return noise;
    }
}
