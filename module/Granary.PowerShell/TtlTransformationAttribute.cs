using System.Globalization;
using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// Turns what a user gives -Ttl into a lifetime, refusing a bare number. PowerShell converts an
/// integer to a TimeSpan as ticks, and reads an unquoted 30d as the decimal 30, so "-Ttl 30" and
/// "-Ttl 30d" would both mean 3 microseconds (the silo's 30-second minimum): a blob meant to be
/// kept for a month would be gone in half a minute. Accepted: a TimeSpan, a quoted '30d' / '12h' /
/// '10m' / '30s' (as the CLI's --ttl), or a TimeSpan string with colons ('30.00:00:00'); 1 second
/// to 100 years.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TtlTransformationAttribute : ArgumentTransformationAttribute
{
    private const string Forms = "write '30d', '12h', '10m' or '30s' (in quotes), or a TimeSpan such as 30.00:00:00 or (New-TimeSpan -Days 30)";

    /// <summary>The parameter's name as messages show it (default -Ttl; New-BlobTransferGrant's -Expires takes durations alike).</summary>
    public string Parameter { get; set; } = "-Ttl";

    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case null:
                return null!;
            case TimeSpan span:
                return Checked(span, span.ToString("c", CultureInfo.InvariantCulture));
            case string text when text.Contains(':', StringComparison.Ordinal):
                return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed)
                    ? Checked(parsed, text)
                    : throw new ArgumentTransformationMetadataException($"{Parameter} '{text}' is not a duration: {Forms}.");
            case string text:
                return Durations.TryParse(text, Parameter, out TimeSpan ttl, out string? problem)
                    ? ttl
                    : throw new ArgumentTransformationMetadataException($"{problem} In PowerShell: {Forms}.");
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                throw new ArgumentTransformationMetadataException(
                    $"{Parameter} {Convert.ToString(value, CultureInfo.InvariantCulture)} has no unit (PowerShell reads an unquoted 30d as the number 30): {Forms}.");
            default:
                throw new ArgumentTransformationMetadataException($"{Parameter} takes a duration, not a {value.GetType().Name}: {Forms}.");
        }
    }

    private TimeSpan Checked(TimeSpan span, string shown) =>
        span >= TimeSpan.FromSeconds(1) && span <= Durations.Longest
            ? span
            : throw new ArgumentTransformationMetadataException($"{Parameter} {shown} is out of range: use 1 second to 100 years.");
}
