using System.Runtime.CompilerServices;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// The blobs a session has shown the user (sent, downloaded, inspected), newest first, for
/// <c>-Hash</c> completion. Kept beside the session rather than in it: completion is a PowerShell
/// concern, and the table lets a closed, unreferenced session and its list be collected together.
/// </summary>
internal static class RecentBlobs
{
    /// <summary>Most hashes remembered per session; older ones are forgotten first.</summary>
    public const int Capacity = 500;

    private static readonly ConditionalWeakTable<GranarySession, List<(string Hash, string Label)>> Seen = [];


    /// <summary>Notes the blob in a cmdlet's output object, if it is one.</summary>
    public static void Remember(GranarySession session, object item)
    {
        (string Hash, string Label)? entry = item switch
        {
            BlobItem blob => (blob.Hash, $"{blob.Path ?? "(bytes)"} · {blob.Size:N0} bytes"),
            DownloadedBlob download => (download.Hash, $"{download.Path ?? "(bytes)"} · {download.Size:N0} bytes"),
            _ => null,
        };
        if (entry is not { } seen)
        {
            return;
        }

        List<(string Hash, string Label)> list = Seen.GetOrCreateValue(session);
        lock (list)
        {
            list.RemoveAll(e => e.Hash == seen.Hash);
            list.Insert(0, seen);
            if (list.Count > Capacity)
            {
                list.RemoveRange(Capacity, list.Count - Capacity);
            }
        }
    }

    /// <summary>The remembered blobs of <paramref name="session"/>, newest first.</summary>
    public static IReadOnlyList<(string Hash, string Label)> Of(GranarySession session)
    {
        if (!Seen.TryGetValue(session, out List<(string Hash, string Label)>? list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }
}
