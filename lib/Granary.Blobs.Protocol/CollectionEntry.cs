using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>One file of a collection: where it goes, what it is.</summary>
/// <param name="Path">Relative path with '/' separators; never absolute, never "..".</param>
/// <param name="Hash">The file's blob.</param>
/// <param name="Size">The file's size in bytes.</param>
public sealed record CollectionEntry(string Path, Blake3Hash Hash, long Size);
