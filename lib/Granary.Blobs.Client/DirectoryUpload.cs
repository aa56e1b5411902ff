using Granary.Blobs.Files;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Client;

/// <summary>What a directory upload stored, and what it left out.</summary>
/// <param name="Collection">The collection blob: its hash names the tree.</param>
/// <param name="Entries">The collection: every file sent and every empty directory.</param>
/// <param name="Skipped">
/// Entries of the directory that are not in the collection, each with why: front ends warn about
/// each and report the upload as incomplete (the CLI exits 4, PowerShell writes an error each).
/// </param>
public sealed record DirectoryUpload(BlobInfo Collection, BlobCollection Entries, IReadOnlyList<SkippedEntry> Skipped);
