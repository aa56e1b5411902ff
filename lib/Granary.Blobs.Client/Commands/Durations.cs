using System.Globalization;

namespace Granary.Blobs.Commands;

/// <summary>
/// Durations as users write them, for the CLI's --ttl and the cmdlets' -Ttl alike: a number and a
/// unit, never a bare number (30 could mean seconds or days; a blob kept 30 seconds instead of 30
/// days is data lost).
/// </summary>
public static class Durations
{
    /// <summary>The longest duration accepted: 100 years, far past any sane lifetime, far below overflow.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36500);

    /// <summary>
    /// A duration written as a number and a unit: 30s, 10m, 12h, 7d (decimals allowed: 1.5h). The
    /// unit is required: a bare number has no single obvious meaning. Whole seconds from 1 second
    /// to <see cref="Longest"/> are accepted, as the protocol carries seconds.
    /// </summary>
    public static bool TryParse(string? text, string name, out TimeSpan value, out string? problem)
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
        if (seconds < 1 || seconds > Longest.TotalSeconds)
        {
            problem = $"{name} {text} is out of range: use {Range}.";
            return false;
        }

        value = TimeSpan.FromSeconds(Math.Floor(seconds));
        problem = null;
        return true;
    }
}
