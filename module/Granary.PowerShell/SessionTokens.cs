using System.Runtime.CompilerServices;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// The token each session was opened with, for the transfer cmdlets: a <see cref="Granary.Blobs.Client.Transfers.TransferClient"/>
/// speaks another protocol (granary/transfer/1) than the session's blob client, so it needs the
/// token again, and <see cref="GranarySession"/> keeps its copy private. Connect-GranaryCluster
/// records it here; the entry goes when the session is collected.
/// </summary>
internal static class SessionTokens
{
    private static readonly ConditionalWeakTable<GranarySession, string> Tokens = [];

    /// <summary>Remembers <paramref name="token"/> (trimmed, as the session uses it) for <paramref name="session"/>.</summary>
    public static void Remember(GranarySession session, string token) => Tokens.AddOrUpdate(session, token.Trim());

    /// <summary>The token <paramref name="session"/> was opened with; null for a session Connect-GranaryCluster did not make.</summary>
    public static string? Of(GranarySession session) => Tokens.TryGetValue(session, out string? token) ? token : null;
}
