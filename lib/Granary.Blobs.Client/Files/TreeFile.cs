namespace Granary.Blobs.Files;

/// <summary>A regular file a directory upload will send.</summary>
/// <param name="FullPath">Where to read it (possibly a symbolic link the walk decided to follow).</param>
/// <param name="Path">Its path in the collection: relative, '/'-separated.</param>
/// <param name="Size">Its size in bytes when the walk saw it.</param>
public sealed record TreeFile(string FullPath, string Path, long Size);
