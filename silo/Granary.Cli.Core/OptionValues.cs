using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Granary.Cli;

/// <summary>
/// Numeric options (durations are Granary.Blobs.Commands.Durations, shared with the PowerShell module), parsed with their ranges when the command line is parsed: a bad
/// value is a usage error (exit 2) whose message names the option and the accepted range, never
/// an exception, and never a value silently wrapped, clamped or given a unit the user did not write.
/// </summary>
internal static class OptionValues
{
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
