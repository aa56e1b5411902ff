namespace Granary.Blobs.Files;

/// <summary>
/// A download was refused before anything was written, because it would replace files that exist
/// (or write where it cannot). <see cref="IOException"/>, so front ends treat it as a local file problem.
/// </summary>
public sealed class TargetExistsException : IOException
{
    /// <summary>A refusal naming <paramref name="paths"/>.</summary>
    public TargetExistsException(string message, IReadOnlyList<string> paths)
        : base(message)
    {
        Paths = paths;
    }

    /// <summary>A refusal with no paths listed.</summary>
    public TargetExistsException()
        : this("The download target exists.", [])
    {
    }

    /// <summary>A refusal with a message.</summary>
    public TargetExistsException(string message)
        : this(message, [])
    {
    }

    /// <summary>A refusal with a message and a cause.</summary>
    public TargetExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Paths = [];
    }

    /// <summary>What exists (or is in the way), as full paths.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>Whether forcing the download (<c>--force</c>, <c>-Force</c>) would proceed; false when even that cannot write there.</summary>
    public bool Forceable { get; init; } = true;
}
