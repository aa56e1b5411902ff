using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// Lets -Id take channel reports and channel refs as well as text: each becomes the name the
/// silo knows the channel by (its <see cref="ChannelReport.Ref"/>: ID, or INITIATOR/ID on the
/// responder's side). Without it PowerShell would bind a piped report by its ToString, the whole
/// record, and every channel would be "not found".
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ChannelIdTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            null => null!,
            string text => new[] { text },
            IEnumerable many => many.Cast<object?>().Select(One).ToArray(),
            _ => new[] { One(value) },
        };
    }

    private static string One(object? item) => (item is PSObject wrapped ? wrapped.BaseObject : item) switch
    {
        ChannelReport report => report.Ref.ToString(),
        ChannelRef channel => channel.ToString(),
        string text => text,
        null => throw new ArgumentTransformationMetadataException("-Id takes a channel's id, not $null."),
        IFormattable number and (int or long or uint or ulong or short or ushort or byte) => number.ToString(null, CultureInfo.InvariantCulture),
        var other => throw new ArgumentTransformationMetadataException(
            $"-Id takes a channel's id (as Get-BlobTransfer shows it in Ref: ID, or INITIATOR/ID) or a channel report, not a {other.GetType().Name}."),
    };
}
