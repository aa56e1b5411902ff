using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Granary.Cli;

/// <summary>
/// Numeric and duration options, parsed with their ranges when the command line is parsed: a bad
/// value is a usage error (exit 2) whose message names the option and the accepted range, never
/// an exception, and never a value silently wrapped, clamped or given a unit the user did not write.
/// </summary>
internal static class OptionValues
{
    /// <summary>The longest duration accepted: 100 years, far past any sane lifetime, far below overflow.</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(36500);

    /// <summary>
    /// An integer option <paramref name="name"/> (also <paramref name="aliases"/>) accepting
    /// <paramref name="min"/> to <paramref name="max"/>. <paramref name="note"/> is said after the
    /// range in errors, e.g. "(0 = one per core)"; it may be empty.
    /// </summary>
    public static Option<T> Integer<T>(string name, string[] aliases, T min, T max, string note)
        where T : struct, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(aliases);
        return new Option<T>(name, aliases)
        {
            CustomParser = result => ParseInteger(result, name, min, max, note) ?? default,
        };
    }

    /// <summary>As <see cref="Integer{T}"/>, for an option whose absence means "not given".</summary>
    public static Option<T?> OptionalInteger<T>(string name, T min, T max, string note)
        where T : struct, IBinaryInteger<T> =>
        new(name) { CustomParser = result => ParseInteger(result, name, min, max, note) };

    /// <summary>Parses <paramref name="text"/> as an integer in range, or says why not.</summary>
    public static bool TryParseInteger<T>(string text, string name, T min, T max, string note, out T value, out string? problem)
        where T : struct, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(text);
        string range = $"use {min} to {max}{(note.Length > 0 ? " " + note : string.Empty)}";
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            problem = null;
            return true;
        }

        problem = BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? $"{name} {text} is out of range: {range}."
            : $"{name} '{text}' is not a whole number: {range}.";
        value = default;
        return false;
    }

    /// <summary>
    /// A duration written as a number and a unit: 30s, 10m, 12h, 7d (decimals allowed: 1.5h). The
    /// unit is required: a bare number has no single obvious meaning. Whole seconds from 1 second
    /// to <see cref="LongestDuration"/> are accepted, as the protocol carries seconds.
    /// </summary>
    public static bool TryParseDuration(string? text, string name, out TimeSpan value, out string? problem)
    {
        const string Forms = "write a number and a unit: 30s, 10m, 12h or 7d (s = seconds, m = minutes, h = hours, d = days)";
        const string Range = "from 1s to 36500d (100 years)";
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = $"{name} needs a duration: {Forms}.";
            return false;
        }

        double seconds = text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (seconds == 0)
        {
            problem = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
                ? $"{name} {text} has no unit: {Forms}."
                : $"{name} '{text}' is not a duration: {Forms}.";
            return false;
        }

        // Digits and one decimal point only: no signs, exponents, NaN or infinities.
        if (!double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount)
            || !char.IsAsciiDigit(text[0]))
        {
            problem = $"{name} '{text}' is not a duration: {Forms}.";
            return false;
        }

        seconds *= amount;
        if (seconds < 1 || seconds > LongestDuration.TotalSeconds)
        {
            problem = $"{name} {text} is out of range: use {Range}.";
            return false;
        }

        value = TimeSpan.FromSeconds(Math.Floor(seconds));
        problem = null;
        return true;
    }

    private static T? ParseInteger<T>(ArgumentResult result, string name, T min, T max, string note)
        where T : struct, IBinaryInteger<T>
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        if (TryParseInteger(result.Tokens[0].Value, name, min, max, note, out T value, out string? problem))
        {
            return value;
        }

        result.AddError(problem!);
        return null;
    }
}
