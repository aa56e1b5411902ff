using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Drives one parser through <see cref="FuzzSettings.Iterations"/> inputs from a CsCheck generator,
/// in a fixed order from a seeded <see cref="PCG"/> (CsCheck's own <c>Sample</c> seeds only its
/// first iteration, and the default slice must replay exactly). Each input is checked for the three
/// invariants of issue 16: no crash (the check's own rules, <see cref="Documented"/>), no hang (a
/// watchdog names the input that stops making progress; a single input slower than
/// <see cref="SlowInput"/> fails too) and no unbounded allocation (each parse call at most
/// <see cref="AllocationBound"/> for the input's size, measured on the parsing thread by <see cref="ParseBudget"/>). A failure
/// prints the input's seed (<c>GRANARY_FUZZ_REPLAY</c> replays just it) and CsCheck's shrunk case.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>One input slower than this fails: tens of microseconds is normal and a loaded 2-core machine was seen to pause one for 0.6 s, so 2 s means a blow-up.</summary>
    public static readonly TimeSpan SlowInput = TimeSpan.FromSeconds(2);

    /// <summary>No progress for this long is a hang.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    /// <summary>The first inputs of a parser pay for JIT compilation: not timed.</summary>
    private const int WarmUp = 50;

    private static readonly Lock StatsLock = new();

    /// <summary>The most a parse may allocate for an input of <paramref name="size"/> bytes: 64 bytes per input byte plus 1 MiB.</summary>
    public static long AllocationBound(long size) => (64 * size) + (1 << 20);

    /// <summary>Fuzzes one parser.</summary>
    /// <param name="output">Where the throughput line goes.</param>
    /// <param name="parser">The parser's name, in messages; it also picks the parser's own seed.</param>
    /// <param name="inputs">The inputs: valid messages, mutated ones, raw bytes.</param>
    /// <param name="size">An input's size in bytes (the allocation bound scales with it).</param>
    /// <param name="check">Parses one input and checks it; true if the parser accepted it. Throws <see cref="FuzzFindingException"/> on a broken rule.</param>
    /// <param name="print">An input for a person (default: <see cref="Printer.Print"/>).</param>
    /// <param name="iterations">Inputs to run; <see cref="FuzzSettings.Iterations"/> by default.</param>
    public static void Run<T>(ITestOutputHelper output, string parser, Gen<T> inputs, Func<T, long> size, Func<T, bool> check, Func<T, string>? print = null, long? iterations = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        print ??= input => Printer.Print(input);
        PCG pcg = FuzzSettings.Replay is { } replay ? PCG.Parse(replay) : new PCG(0x5eed, FuzzSettings.Seed ^ StableHash(parser));
        long count = FuzzSettings.Replay is null ? iterations ?? FuzzSettings.Iterations : 1;

        var progress = new FuzzProgress<T>();
        var worker = new Thread(() => Loop(progress, pcg, count, inputs, size, check))
        {
            IsBackground = true, // A hung parse cannot be stopped; the test fails and the process moves on without it.
            Name = $"fuzz {parser}",
        };
        var clock = Stopwatch.StartNew();
        worker.Start();
        long lastIndex = -1;
        TimeSpan lastMove = TimeSpan.Zero;
        while (!worker.Join(TimeSpan.FromSeconds(1)))
        {
            long index = Volatile.Read(ref progress.Index);
            if (index != lastIndex)
            {
                (lastIndex, lastMove) = (index, clock.Elapsed);
            }
            else if (clock.Elapsed - lastMove > Hang)
            {
                (ulong state, T input) = progress.Current;
                throw new FuzzFindingException($"{parser} hung: input #{index} has run for more than {Hang.TotalSeconds:F0} s. {Replay(pcg, state)}\ninput: {Clip(print(input))}");
            }
        }

        clock.Stop();
        if (progress.Failure is { } failure)
        {
            (ulong state, T input) = progress.Current;
            string shrunk = Shrink(inputs, size, check, print, pcg.ToString(state));
            throw new FuzzFindingException(
                $"{parser} failed on input #{progress.Index} of {count}: {failure.Message}\n{Replay(pcg, state)}\ninput: {Clip(print(input))}{shrunk}",
                failure);
        }

        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{parser}: {count} inputs in {seconds:F2} s = {count / seconds:F0}/s; accepted {progress.Accepted}; slowest {progress.Slowest.TotalMilliseconds:F1} ms; most allocated {progress.MostAllocated} B (bound {AllocationBound(progress.MostAllocatedSize)} B for its {progress.MostAllocatedSize} bytes); seed {FuzzSettings.SeedText}");
        output.WriteLine(line);
        if (FuzzSettings.StatsFile is { } file)
        {
            lock (StatsLock)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }

    /// <summary>The line that tells a reader how to replay one input and the whole run.</summary>
    private static string Replay(PCG pcg, ulong state) =>
        $"Replay this input: GRANARY_FUZZ_REPLAY={pcg.ToString(state)}; the run: GRANARY_FUZZ_SEED={FuzzSettings.SeedText} GRANARY_FUZZ_ITERATIONS={FuzzSettings.Iterations}.";

    private static void Loop<T>(FuzzProgress<T> progress, PCG pcg, long count, Gen<T> inputs, Func<T, long> size, Func<T, bool> check)
    {
        try
        {
            for (long i = 0; i < count; i++)
            {
                ulong state = pcg.State;
                T input;
                try
                {
                    input = inputs.Generate(pcg, null, out _);
                }
                catch (Exception error)
                {
                    throw new InvalidOperationException($"the generator itself threw (a bug in the test, not the parser): {error.Message}", error);
                }

                progress.Current = (state, input);
                Volatile.Write(ref progress.Index, i);
                (bool accepted, long allocated, TimeSpan elapsed) = Measure(input, size, check);
                if (i >= WarmUp && elapsed > SlowInput)
                {
                    throw new FuzzFindingException($"one input took {elapsed.TotalMilliseconds:F0} ms (more than {SlowInput.TotalMilliseconds:F0} ms: super-linear work?)");
                }

                progress.Accepted += accepted ? 1 : 0;
                if (i >= WarmUp && elapsed > progress.Slowest)
                {
                    progress.Slowest = elapsed;
                }

                if (allocated > progress.MostAllocated)
                {
                    (progress.MostAllocated, progress.MostAllocatedSize) = (allocated, size(input));
                }
            }
        }
        catch (Exception error)
        {
            progress.Failure = error;
        }
    }

    /// <summary>Runs the check once, measuring how long it took and the most one of its parse calls allocated (<see cref="ParseBudget"/> enforces the bound).</summary>
    private static (bool Accepted, long Allocated, TimeSpan Elapsed) Measure<T>(T input, Func<T, long> size, Func<T, bool> check)
    {
        ParseBudget.Start(size(input));
        long started = Stopwatch.GetTimestamp();
        bool accepted = check(input);
        return (accepted, ParseBudget.MostAllocated, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Asks CsCheck for a smaller failing input, starting from the failing one's seed; a few seconds at most.</summary>
    private static string Shrink<T>(Gen<T> inputs, Func<T, long> size, Func<T, bool> check, Func<T, string> print, string seed)
    {
        try
        {
            inputs.Sample(input => Measure(input, size, check), seed: seed, iter: 20_000, threads: 1, print: input => Clip(print(input)));
            return "\n(CsCheck could not reproduce the failure when shrinking: it depends on more than the input)";
        }
        catch (CsCheckException shrunk)
        {
            return $"\nshrunk by CsCheck: {shrunk.Message}";
        }
    }

    private static string Clip(string text) => text.Length > 4000 ? text[..4000] + " …" : text;

    private static ulong StableHash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
