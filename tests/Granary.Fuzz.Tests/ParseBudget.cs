namespace Granary.Fuzz.Tests;

/// <summary>
/// The allocation bound of issue 16 ("no unbounded allocation"), applied to each parse call alone
/// (not to the check's own re-encoding): <see cref="FuzzRunner"/> says how large the current input
/// is, and <see cref="Documented"/> charges what each parse allocated on this thread against
/// <see cref="FuzzRunner.AllocationBound"/> of that size.
/// </summary>
internal static class ParseBudget
{
    [ThreadStatic]
    private static long _inputSize;

    [ThreadStatic]
    private static long _mostAllocated;

    /// <summary>The most one parse of the current input allocated.</summary>
    public static long MostAllocated => _mostAllocated;

    /// <summary>Starts an input of <paramref name="size"/> bytes.</summary>
    public static void Start(long size) => (_inputSize, _mostAllocated) = (size, 0);

    /// <summary>Runs <paramref name="parse"/>, charging what it allocated, whether it returned or threw.</summary>
    /// <exception cref="FuzzFindingException">It allocated more than the bound for the input's size.</exception>
    public static T Measure<T>(string parser, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        long before = GC.GetAllocatedBytesForCurrentThread();
        T value;
        try
        {
            value = parse();
        }
        catch (Exception error) when (error is not FuzzFindingException)
        {
            // A refusal that first allocated without bound is still a finding.
            Charge(parser, before);
            throw;
        }

        Charge(parser, before);
        return value;
    }

    private static void Charge(string parser, long before)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _mostAllocated = Math.Max(_mostAllocated, allocated);
        if (allocated > FuzzRunner.AllocationBound(_inputSize))
        {
            throw new FuzzFindingException($"{parser} allocated {allocated} bytes for a {_inputSize}-byte input, more than the bound {FuzzRunner.AllocationBound(_inputSize)} (64 per input byte + 1 MiB)");
        }
    }
}
