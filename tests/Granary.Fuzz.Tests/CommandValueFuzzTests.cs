using CsCheck;
using Granary.Blobs.Commands;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the values a user types on the command line or in a cmdlet: <see cref="ByteSizes.TryParse"/>
/// (<c>--quota 10GiB</c>) and <see cref="Durations.TryParse"/> (<c>--ttl 7d</c>), with valid values,
/// edited (signs, exponents, huge numbers, units and their case, Unicode digits) and random text.
/// Proves: neither throws (each answers false with a sentence); what they accept is within their
/// documented range; within the time and allocation bounds.
/// </summary>
public sealed class CommandValueFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<string> SizeTexts = Gen.Select(Gen.Long[1, 1 << 20], Gen.OneOf("", "B", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB", " GiB", "kib"), (n, unit) => $"{n}{unit}");

    private static readonly Gen<string> DurationTexts = Gen.Select(Gen.Int[1, 1000], Gen.OneOf("s", "m", "h", "d"), (n, unit) => $"{n}{unit}");

    [Fact]
    public void ByteSizes_TryParse_never_throws() =>
        FuzzRunner.Run(output, "ByteSizes.TryParse", Inputs.Texts(SizeTexts), input => input.Size, input =>
        {
            (bool ok, long value, string? problem) = Documented.Total("ByteSizes.TryParse", () => (ByteSizes.TryParse(input.Text, "--quota", out long v, out string? p), v, p));
            Documented.Require(ok ? value > 0 && problem is null : problem is not null, $"ByteSizes answered {ok} with {value} and '{problem}'");
            Documented.Require(ok || !input.Valid, "a valid byte count was refused");
            return ok;
        });

    [Fact]
    public void DurationTextsTryParse_never_throws() =>
        FuzzRunner.Run(output, "Durations.TryParse", Inputs.Texts(DurationTexts), input => input.Size, input =>
        {
            (bool ok, TimeSpan value, string? problem) = Documented.Total("Durations.TryParse", () => (Durations.TryParse(input.Text, "--ttl", out TimeSpan v, out string? p), v, p));
            Documented.Require(ok ? value >= TimeSpan.FromSeconds(1) && value <= Durations.Longest && problem is null : problem is not null, $"Durations answered {ok} with {value} and '{problem}'");
            Documented.Require(ok || !input.Valid, "a valid duration was refused");
            return ok;
        });
}
