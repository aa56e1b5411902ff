using System.Globalization;

namespace Granary.Blobs.Commands;

/// <summary>
/// Byte counts as people write them: <c>1048576</c>, <c>512KiB</c>, <c>64MiB</c>, <c>1GiB</c>,
/// <c>2TiB</c> (powers of 1024) or <c>500KB</c>, <c>1GB</c> (powers of 1000). One parser for the CLI
/// and the cmdlets, as <see cref="Durations"/> is for times.
/// </summary>
public static class ByteSizes
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000L), ("MB", 1_000_000L), ("GB", 1_000_000_000L), ("TB", 1_000_000_000_000L),
        ("B", 1L),
    ];

    /// <summary>Reads <paramref name="text"/> as a positive byte count.</summary>
    /// <param name="text">The text.</param>
    /// <param name="name">The option's name, for the message.</param>
    /// <param name="value">The count.</param>
    /// <param name="problem">What was wrong, as a sentence naming the option; null on success.</param>
    public static bool TryParse(string? text, string name, out long value, out string? problem)
    {
        value = 0;
        string trimmed = (text ?? string.Empty).Trim();
        long factor = 1;
        foreach ((string suffix, long f) in Suffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number) || number <= 0 || number > (decimal)long.MaxValue / factor)
        {
            problem = $"{name} '{text}' is not a byte count: write a positive number, optionally with KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 10GiB.";
            return false;
        }

        value = (long)Math.Ceiling(number * factor);
        problem = null;
        return true;
    }
}
