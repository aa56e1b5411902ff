using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Runs one parse and sorts the outcome: accepted, refused the documented way, or a finding. The
/// invariant of issue 16: every rejection is the documented status (exception type); anything
/// else (IndexOutOfRange, NullReference, Overflow, ArgumentOutOfRange, OutOfMemory, an
/// exception of the right type with the wrong status) fails the run with the input that caused it.
/// </summary>
internal static class Documented
{
    /// <summary>
    /// Runs <paramref name="parse"/>; true with its value if it accepted the input, false if it
    /// refused it with one of <paramref name="documented"/>.
    /// </summary>
    /// <exception cref="FuzzFindingException">Any other exception.</exception>
    public static bool TryParse<T>(string parser, Func<T> parse, out T value, params Rejection[] documented)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            value = ParseBudget.Measure(parser, parse);
            return true;
        }
        catch (Exception error) when (documented.Any(d => d.Matches(error)))
        {
            value = default!;
            return false;
        }
        catch (Exception error) when (error is not FuzzFindingException)
        {
            throw new FuzzFindingException(
                $"{parser} threw {Describe(error)} ({error.Message}); its docs allow only {string.Join(", ", documented.Select(d => d.ToString()))}",
                error);
        }
    }

    /// <summary>Runs a parser whose docs say it never throws (it answers null, false or a problem instead).</summary>
    /// <exception cref="FuzzFindingException">It threw.</exception>
    public static T Total<T>(string parser, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return ParseBudget.Measure(parser, parse);
        }
        catch (Exception error) when (error is not FuzzFindingException)
        {
            throw new FuzzFindingException($"{parser} threw {Describe(error)} ({error.Message}); its docs say it never throws", error);
        }
    }

    /// <summary>Fails unless <paramref name="condition"/> holds.</summary>
    /// <exception cref="FuzzFindingException">It does not.</exception>
    public static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw new FuzzFindingException(rule);
        }
    }

    private static string Describe(Exception error) =>
        error is BlobProtocolException refusal ? $"{error.GetType().Name}({(int)refusal.Status})" : error.GetType().Name;
}
